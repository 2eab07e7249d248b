package dev.sluice.topics.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Liveness by the reader's clock, eligibility by the layout's stage count, forgetting; the clock is the test's. */
class ClusterViewTest {
  private static final long NOW = 1_000_000L;

  private final ClusterView view = new ClusterView(Duration.ofSeconds(5), Duration.ofMinutes(5));

  static WorkerStatus worker(String id, int stage, List<Integer> lanes, int queueDepth, long timestampMs) {
    return WorkerStatus.newBuilder().setWorkerId(id).setStage(stage).setLayerStart(0).setLayerEnd(5)
        .setLanes(new ArrayList<>(lanes)).setQueueDepth(queueDepth).setState(WorkerState.READY).setModel("m")
        .setTimestampMs(timestampMs).build();
  }

  private void heard(WorkerStatus w, long atMs) {
    view.heard(w.getWorkerId(), w, atMs);
  }

  @Test
  void shouldMakeALaneEligibleOnlyWhenEveryStageHasALiveOwner() {
    heard(worker("s0-a", 0, List.of(0, 1), 0, NOW), NOW);
    heard(worker("s0-b", 0, List.of(2, 3), 0, NOW), NOW);
    heard(worker("s1-a", 1, List.of(0, 1, 2), 0, NOW), NOW);
    heard(worker("s1-b", 1, List.of(3), 0, NOW), NOW - 5_001); // stale
    assertThat(view.snapshot(NOW).eligibleLanes(2, 4)).containsExactly(true, true, true, false);
    assertThat(view.snapshot(NOW).eligibleLanes(1, 4)).as("a one-stage layout needs stage 0 only")
        .containsExactly(true, true, true, true);
  }

  @Test
  void shouldJudgeLivenessByWhenTheHeartbeatWasHeardNotByTheWorkersClock() {
    // the worker's clock runs a minute behind, and another's a minute ahead: heard now, both are live
    heard(worker("behind", 0, List.of(0), 0, NOW - 60_000), NOW);
    heard(worker("ahead", 0, List.of(1), 0, NOW + 60_000), NOW);
    assertThat(view.snapshot(NOW + 4_000).live()).hasSize(2);
    // silent for longer than the stale limit by the reader's clock: stale, whatever its timestamp said
    List<KnownWorker> later = view.snapshot(NOW + 5_001).workers();
    assertThat(later).extracting(KnownWorker::stale).containsExactly(true, true);
    assertThat(later).extracting(KnownWorker::health).containsOnly("stale");
    assertThat(view.snapshot(NOW + 5_001).eligibleLanes(1, 2)).containsExactly(false, false);
  }

  @Test
  void shouldNotRouteToStartingDrainingOrFailedWorkers() {
    heard(worker("ok", 0, List.of(0), 0, NOW), NOW);
    for (WorkerState state : List.of(WorkerState.DRAINING, WorkerState.STARTING, WorkerState.FAILED)) {
      WorkerStatus w = worker(state.name(), 0, List.of(state.ordinal() + 1), 0, NOW);
      w.setState(state);
      heard(w, NOW);
    }
    WorkersSnapshot now = view.snapshot(NOW);
    assertThat(now.eligibleLanes(1, 4)).containsExactly(true, false, false, false);
    assertThat(now.workers()).extracting(KnownWorker::health)
        .containsExactlyInAnyOrder("healthy", "draining", "starting", "failed");
    assertThat(now.stagesWithLiveWorkers()).containsExactly(0);
  }

  @Test
  void shouldHaveNoEligibleLaneWithoutWorkers() {
    assertThat(view.snapshot(NOW).eligibleLanes(1, 4)).containsExactly(false, false, false, false);
    assertThat(view.snapshot(NOW).stagesWhoseWorkersAreGone(2)).as("none ever heard from: they may be starting").isEmpty();
  }

  @Test
  void shouldNameTheLayoutsStagesWhoseWorkersAreAllGone() {
    heard(worker("s0", 0, List.of(0, 1), 0, NOW), NOW);
    heard(worker("s1-dead", 1, List.of(0, 1), 0, NOW), NOW - 20_000);
    WorkerStatus failed = worker("s2-failed", 2, List.of(0, 1), 0, NOW);
    failed.setState(WorkerState.FAILED);
    heard(failed, NOW);
    assertThat(view.snapshot(NOW).eligibleLanes(4, 2)).containsExactly(false, false);
    // stage 3 was never heard from (its workers may be starting); stage 4 is not in the layout
    heard(worker("s4", 4, List.of(0, 1), 0, NOW), NOW - 20_000);
    assertThat(view.snapshot(NOW).stagesWhoseWorkersAreGone(4)).containsExactly(1, 2);
    WorkerStatus starting = worker("s1-new", 1, List.of(), 0, NOW);
    starting.setState(WorkerState.STARTING);
    heard(starting, NOW);
    assertThat(view.snapshot(NOW).stagesWhoseWorkersAreGone(4)).as("a worker starting for stage 1: wait for it")
        .containsExactly(2);
  }

  @Test
  void shouldForgetAWorkerSilentForLongerThanTheForgetTimeAndDropATombstonedOneAtOnce() {
    heard(worker("old", 0, List.of(0), 0, NOW), NOW);
    heard(worker("left", 0, List.of(1), 0, NOW), NOW);
    view.gone("left");
    assertThat(view.snapshot(NOW).workers()).extracting(w -> w.status().getWorkerId()).containsExactly("old");
    assertThat(view.snapshot(NOW + Duration.ofMinutes(5).toMillis()).workers()).as("still listed, as stale")
        .singleElement().satisfies(w -> assertThat(w.stale()).isTrue());
    assertThat(view.snapshot(NOW + Duration.ofMinutes(5).toMillis() + 1).workers()).isEmpty();
    assertThat(view.snapshot(NOW).workers()).as("forgotten for good, not hidden").isEmpty();
  }

  @Test
  void shouldSumQueuesAndListModelsOfWorkersThatAreNotStale() {
    heard(worker("a", 0, List.of(0), 3, NOW), NOW);
    WorkerStatus b = worker("b", 0, List.of(1), 2, NOW);
    b.setModel("other");
    heard(b, NOW);
    heard(worker("c", 1, List.of(0, 1), 7, NOW), NOW - 10_000); // stale: neither its queue nor its model count
    WorkersSnapshot now = view.snapshot(NOW);
    assertThat(now.queuedByStage()).containsExactly(java.util.Map.entry(0, 5L));
    assertThat(now.liveModels()).containsExactly("m", "other");
    assertThat(now.heardRecently()).isEqualTo(2);
  }

  @Test
  void shouldNameALiveWorkerOfAnotherBlockSize() {
    WorkerStatus w = worker("w", 1, List.of(0), 0, NOW);
    w.setBlockSize(32);
    heard(w, NOW);
    assertThat(view.snapshot(NOW).blockSizeDisagreement(32, "")).isEmpty();
    assertThat(view.snapshot(NOW).blockSizeDisagreement(16, "w")).as("its own old heartbeat").isEmpty();
    assertThat(view.snapshot(NOW).blockSizeDisagreement(16, "")).contains("worker w (stage 1) caches blocks of 32 tokens");
    assertThat(view.snapshot(NOW).only(s -> s.getBlockSize() == 16).live()).isEmpty();
    assertThat(view.snapshot(NOW + 6_000).blockSizeDisagreement(16, "")).as("a stale worker does not count").isEmpty();
  }

  @Test
  void shouldRefuseAForgetTimeShorterThanTheStaleLimit() {
    assertThatThrownBy(() -> new ClusterView(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCountHeartbeatsAndTombstonesAndSayWhenTheClockAloneChangesASnapshot() {
    assertThat(view.changes()).isZero();
    assertThat(view.unchangedUntilMs(NOW)).as("nobody known").isEqualTo(Long.MAX_VALUE);
    heard(worker("a", 0, List.of(0), 0, NOW), NOW);
    heard(worker("b", 0, List.of(1), 0, NOW), NOW - 2_000);
    view.gone("c");
    assertThat(view.changes()).isEqualTo(3);
    // b turns stale first: silent for more than 5 s at NOW + 3,001
    long until = view.unchangedUntilMs(NOW);
    assertThat(until).isEqualTo(NOW + 3_001);
    assertThat(view.snapshot(until - 1).live()).hasSize(2);
    assertThat(view.snapshot(until).live()).hasSize(1);
    // after both are stale, the next change is b being forgotten (5 minutes of silence)
    assertThat(view.unchangedUntilMs(NOW + 10_000)).isEqualTo(NOW - 2_000 + 300_001);
    assertThat(view.changes()).as("snapshots are no changes").isEqualTo(3);
  }
}
