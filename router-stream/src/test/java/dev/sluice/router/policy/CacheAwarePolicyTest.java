package dev.sluice.router.policy;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.sharedPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.ClusterView;
import org.junit.jupiter.api.Test;

class CacheAwarePolicyTest {
  private final InMemoryPrefixIndex index = new InMemoryPrefixIndex(10_000);
  private final CacheAwarePolicy policy = new CacheAwarePolicy(index, CacheAwareParams.DEFAULTS);

  private static RoutingRequest family(int seed, int tail, int length) {
    return RoutingRequest.of("r", sharedPrefix(seed, 32, tail, length), MODEL, null, 16);
  }

  @Test
  void shouldFollowTheLongestCachedPrefixUntilTheLaneIsOverTheBound() {
    ClusterView view = FixedCluster.view(); // loads 3, 0, 1, (stale)
    RoutingRequest first = FixedCluster.requestWithHome(2, 64);

    // New family: every lane costs the same prefill, so the least loaded lane wins: lane 1.
    assertThat(policy.decide(first, view)).contains(new RoutingDecision(1, Outcome.NEW_PREFIX, 0));
    // The same prompt again: all 4 blocks cached on lane 1.
    assertThat(policy.decide(first, view)).contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 4));
    // Lane 1 at load 3: mean 7/3, limit max(2.57, 4.33); still under the bound, and 4 cached blocks
    // (64 tokens = 64 ms of prefill) outweigh 2 extra queued requests (20 ms).
    assertThat(policy.decide(first, view.withAddedLoad(1, 3))).contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 4));
    // Lane 1 at load 6: mean 10/3, limit 5.33 -> over the bound; lane 2 (load 1) wins and learns the family.
    assertThat(policy.decide(first, view.withAddedLoad(1, 6))).contains(new RoutingDecision(2, Outcome.LOAD_OVERRIDE, 0));
    // Now both lanes hold it; with lane 1 still busy, lane 2 serves it from cache.
    assertThat(policy.decide(first, view.withAddedLoad(1, 6))).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 4));
  }

  @Test
  void shouldSendPromptsSharingAPrefixWhereThatPrefixIs() {
    ClusterView even = ClusterView.fromHeartbeats(4, java.util.List.of(
        dev.sluice.router.Fixtures.worker("w0", 0, java.util.List.of(0, 1, 2), 0, FixedCluster.NOW),
        dev.sluice.router.Fixtures.worker("w3", 0, java.util.List.of(3), 0, FixedCluster.NOW - 60_000)),
        FixedCluster.NOW, 5_000, null);
    RoutingRequest a = family(11, 1, 48);
    int laneA = policy.select(a, even).orElseThrow();
    RoutingRequest b = family(11, 2, 56); // same first 32 tokens = 2 blocks
    assertThat(policy.decide(b, even)).contains(new RoutingDecision(laneA, Outcome.AFFINITY_HIT, 2));
    assertThat(laneA).isNotEqualTo(3);
  }

  @Test
  void shouldPlaceNewFamiliesOnTheirHomeLaneOnAnEvenCluster() {
    ClusterView even = ClusterView.idle(4);
    for (int lane = 0; lane < 4; lane++) {
      assertThat(policy.decide(FixedCluster.requestWithHome(lane, 40), even))
          .contains(new RoutingDecision(lane, Outcome.NEW_PREFIX, 0));
    }
  }
}
