package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import org.junit.jupiter.api.Test;

class PrefixHashPolicyTest {

  @Test
  void shouldPlaceEachFamilyOnItsHashLaneAndFallBackPastTheStaleLane() {
    PrefixHashPolicy policy = new PrefixHashPolicy(1);
    RoutingRequest home0 = FixedCluster.requestWithHome(0, 40);
    RoutingRequest home2 = FixedCluster.requestWithHome(2, 40);
    RoutingRequest home3 = FixedCluster.requestWithHome(3, 40);
    RoutingRequest shortHome1 = FixedCluster.requestWithHome(1, 9); // shorter than one block

    assertThat(policy.decide(home0, FixedCluster.view())).contains(new RoutingDecision(0, Outcome.AFFINITY_HIT, 0));
    assertThat(policy.decide(home2, FixedCluster.view())).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 0));
    // Lane 3's worker is stale: the next lane in ring order (0) takes the family.
    assertThat(policy.decide(home3, FixedCluster.view())).contains(new RoutingDecision(0, Outcome.FALLBACK, 0));
    assertThat(policy.decide(shortHome1, FixedCluster.view())).contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 0));
    // Load does not matter to prefix_hash: lane 0 keeps its family although it is the busiest.
    assertThat(policy.select(home0, FixedCluster.view().withAddedLoad(0, 100))).contains(0);
  }
}
