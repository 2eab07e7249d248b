package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

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
}
