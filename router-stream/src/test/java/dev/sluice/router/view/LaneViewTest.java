package dev.sluice.router.view;

import static dev.sluice.router.Fixtures.heardAtTheirTimestamps;
import static dev.sluice.router.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.WorkerStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loads of the lanes as the policies see them; which workers are live is ClusterViewTest's (stage-topics). */
class LaneViewTest {
  private static final long NOW = 1_000_000L;

  @Test
  void shouldShareAWorkersQueueOverItsLanesAndAddTheGivenLoad() {
    WorkerStatus w = worker("w", 0, List.of(0, 1), 4, NOW);
    w.setActiveSequences(2);
    LaneView view = LaneView.from(heardAtTheirTimestamps(NOW, List.of(w, worker("v", 0, List.of(2), 1, NOW))), 1, 3,
        new double[] {0, 2, 0});
    assertThat(view.load(0)).isEqualTo(3.0);
    assertThat(view.load(1)).isEqualTo(5.0);
    assertThat(view.load(2)).isEqualTo(1.0);
    assertThat(view.averageEligibleLoad()).isEqualTo(3.0);
  }

  @Test
  void shouldLoadALaneWithTheWorkOfEveryLaneItsWorkersServe() {
    // w serves lanes 0 and 1: 1.0 + 0.1 s in flight, more than its 6 reported requests x 0.1 s -> 1.1 on both.
    // v serves lane 2: 0.2 s in flight, less than its 9 reported requests -> 0.9. A stage-1 worker serving
    // every lane with 30 reported requests makes each lane wait 3 s there.
    WorkerStatus w = worker("w", 0, List.of(0, 1), 6, NOW);
    WorkerStatus v = worker("v", 0, List.of(2), 9, NOW);
    LaneView view = LaneView.from(heardAtTheirTimestamps(NOW, List.of(w, v)), 1, 3, new double[] {1.0, 0.1, 0.2}, 0.1);
    assertThat(view.load(0)).isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(view.load(1)).isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(view.load(2)).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
    LaneView twoStages = LaneView.from(heardAtTheirTimestamps(NOW, List.of(w, v, worker("s1", 1, List.of(0, 1, 2), 30, NOW))),
        2, 3, new double[] {1.0, 0.1, 0.2}, 0.1);
    assertThat(twoStages.load(2)).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void shouldTakeEligibilityFromTheLayoutsStageCount() {
    List<WorkerStatus> stageZeroOnly = List.of(worker("s0", 0, List.of(0, 1), 0, NOW));
    assertThat(LaneView.from(heardAtTheirTimestamps(NOW, stageZeroOnly), 1, 2, null).eligibleLanes()).containsExactly(0, 1);
    // a two-stage layout whose stage 1 has no worker yet: no lane can serve (a request waits for one)
    LaneView twoStages = LaneView.from(heardAtTheirTimestamps(NOW, stageZeroOnly), 2, 2, null);
    assertThat(twoStages.hasEligibleLane()).isFalse();
    assertThat(twoStages.stagesWithoutWorkers()).isEmpty();
    // once stage 1's only worker has gone silent, stage 1 is named: requests fail at once
    List<WorkerStatus> stageOneDied = List.of(stageZeroOnly.get(0), worker("s1", 1, List.of(0, 1), 0, NOW - 6_000));
    assertThat(LaneView.from(heardAtTheirTimestamps(NOW, stageOneDied), 2, 2, null).stagesWithoutWorkers()).containsExactly(1);
  }

  @Test
  void shouldCountAPlacementsRemainingWorkUntilItEnds() {
    InFlightWork inFlight = new InFlightWork(2);
    inFlight.placed(new InFlightWork.Placement("a", 1, 600, 500, 10, NOW, "m", NOW, null)); // 0.5 s prefill + 10 x 0.01 s
    inFlight.placed(new InFlightWork.Placement("b", 1, 100, 100, 10, NOW, "m", NOW, null));
    assertThat(inFlight.secondsPerLane(1000, 0.01)).containsExactly(0, 0.8);
    inFlight.tokens("a", 1); // first token: its prefill is done, 9 tokens to go
    assertThat(inFlight.secondsPerLane(1000, 0.01)[1]).isCloseTo(0.29, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(inFlight.finished("a").lane()).isEqualTo(1);
    assertThat(inFlight.finished("a")).as("ends once").isNull();
    inFlight.tokens("unknown", 1);
    assertThat(inFlight.requestsPerLane()).containsExactly(0, 1);
    assertThat(inFlight.placedSecondsPerLane(1000, 0.01)).as("placed work stays counted").containsExactly(0, 0.8);
    inFlight.placed(new InFlightWork.Placement("c", 0, 100, 100, 10, NOW + 5_000, "m", NOW, null));
    assertThat(inFlight.forgetPlacedBefore(NOW + 1)).as("b's end never came").isEqualTo(1);
    assertThat(inFlight.requestsPerLane()).containsExactly(1, 0);
  }
}
