package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.view.LaneView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastLoadPolicyTest {

  @Test
  void shouldPickTheLeastLoadedLiveLane() {
    LeastLoadPolicy policy = new LeastLoadPolicy();
    List<Integer> lanes = new ArrayList<>();
    // Lane 3 is idle but stale; lane 1 is the least loaded live lane; after it fills up, lane 2.
    var view = FixedCluster.view();
    for (int i = 0; i < 4; i++) {
      int lane = policy.select(FixedCluster.request(i + 1, 20), view).orElseThrow();
      lanes.add(lane);
      view = view.withAddedLoad(lane, 1);
    }
    assertThat(lanes).containsExactly(1, 1, 2, 1);
  }

  @Test
  void shouldGiveATieToTheLaneThatWasGivenTheLeastWorkSoFar() {
    LeastLoadPolicy policy = new LeastLoadPolicy();
    // Every lane idle: lane 3 has been given the least work, then lanes 1 and 2 (1.0 each, the lower first).
    LaneView view = LaneView.idle(4).withPlacedWork(new double[] {2.0, 1.0, 1.0, 0.5});
    assertThat(policy.select(FixedCluster.request(1, 20), view)).contains(3);
    assertThat(policy.select(FixedCluster.request(1, 20), LaneView.idle(4).withPlacedWork(new double[] {2.0, 1.0, 1.0, 1.5})))
        .contains(1);
    // A lower load still wins over less placed work.
    LaneView loaded = LaneView.allEligible(new double[] {0.5, 0.0, 0.2, 0.1}).withPlacedWork(new double[] {0, 9, 0, 0});
    assertThat(policy.select(FixedCluster.request(1, 20), loaded)).contains(1);
  }
}
