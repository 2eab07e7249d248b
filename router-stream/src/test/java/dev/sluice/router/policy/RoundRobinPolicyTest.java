package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinPolicyTest {

  @Test
  void shouldCycleOverEligibleLanesSkippingTheStaleOne() {
    RoundRobinPolicy policy = new RoundRobinPolicy();
    List<Integer> lanes = new ArrayList<>();
    for (int i = 0; i < 7; i++) lanes.add(policy.select(FixedCluster.request(i + 1, 20), FixedCluster.view()).orElseThrow());
    assertThat(lanes).containsExactly(0, 1, 2, 0, 1, 2, 0);
  }
}
