package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import org.junit.jupiter.api.Test;

class PrecisePolicyTest {

  @Test
  void shouldFollowWorkerReportsAndForgetEvictedBlocks() {
    InMemoryPrefixIndex reported = new InMemoryPrefixIndex(1_000);
    PrecisePolicy policy = new PrecisePolicy(reported, CacheAwareParams.DEFAULTS);
    RoutingRequest request = FixedCluster.requestWithHome(1, 64);

    // Nothing reported: placed by cost (lane 1 is idle), and routing alone teaches precise nothing.
    assertThat(policy.decide(request, FixedCluster.view())).contains(new RoutingDecision(1, Outcome.NEW_PREFIX, 0));
    assertThat(policy.decide(request, FixedCluster.view())).contains(new RoutingDecision(1, Outcome.NEW_PREFIX, 0));

    // The worker of lane 2 reports the first 3 blocks: 48 cached tokens beat one queued request.
    for (int i = 0; i < 3; i++) reported.add(request.blockHashes().get(i), 2);
    assertThat(policy.decide(request, FixedCluster.view())).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 3));
    // A report from the stale lane 3 is ignored: the lane is not eligible.
    reported.add(request.blockHashes().get(3), 3);
    assertThat(policy.decide(request, FixedCluster.view())).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 3));

    // Evicted on lane 2 (lane unknown: -1 forgets every lane).
    for (int i = 0; i < 4; i++) reported.remove(request.blockHashes().get(i), -1);
    assertThat(policy.decide(request, FixedCluster.view())).contains(new RoutingDecision(1, Outcome.NEW_PREFIX, 0));
  }
}
