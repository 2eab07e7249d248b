package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.LaneView;
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

    // Lane 1 busy for 1 s more. The worker of lane 2 reports the first 3 blocks: lane 2 costs 1 s + 16 ms
    // of prefill, lane 1 1 s + 64 ms + 3 x 48 ms of hysteresis.
    LaneView busier = FixedCluster.view().withAddedLoad(1, 1.0);
    for (int i = 0; i < 3; i++) reported.add(request.blockHashes().get(i), 2);
    reported.add(request.blockHashes().get(0), 0);
    assertThat(policy.decide(request, busier)).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 3));
    // A report from the stale lane 3 is ignored: the lane is not eligible.
    reported.add(request.blockHashes().get(3), 3);
    assertThat(policy.decide(request, busier)).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 3));

    // Evicted under lane 2: lane 2 forgets them, lane 0 still holds block 0 (but is 3 s busy).
    for (int i = 0; i < 4; i++) reported.remove(request.blockHashes().get(i), 2);
    assertThat(reported.lanesOf(request.blockHashes().get(0)).stream().boxed().toList()).containsExactly(0);
    assertThat(policy.decide(request, busier)).contains(new RoutingDecision(1, Outcome.LOAD_OVERRIDE, 0));
  }
}
