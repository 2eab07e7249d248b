package dev.sluice.router.policy;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.sharedPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.LaneView;
import org.junit.jupiter.api.Test;

class CacheAwarePolicyTest {
  private final InMemoryPrefixIndex index = new InMemoryPrefixIndex(10_000);
  private final CacheAwarePolicy policy = new CacheAwarePolicy(index, CacheAwareParams.DEFAULTS);

  private static RoutingRequest family(int seed, int tail, int length) {
    return RoutingRequest.of("r", sharedPrefix(seed, 32, tail, length), MODEL, null, 16);
  }

  @Test
  void shouldFollowTheLongestCachedPrefixUntilItsQueueOutweighsThePrefillItSaves() {
    LaneView view = FixedCluster.view(); // work in flight 3 s, 0 s, 1 s, (stale)
    RoutingRequest first = FixedCluster.requestWithHome(2, 64);

    // New family: every lane costs the same 64 ms of prefill, so the least loaded lane wins: lane 1.
    assertThat(policy.decide(first, view)).contains(new RoutingDecision(1, Outcome.NEW_PREFIX, 0));
    // The same prompt again: all 4 blocks cached on lane 1.
    assertThat(policy.decide(first, view)).contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 4));
    // Lane 1 with 1.2 s in flight: still cheaper than lane 2's 1 s + 64 ms + 3 x 64 ms of hysteresis.
    assertThat(policy.decide(first, view.withAddedLoad(1, 1.2))).contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 4));
    // With 1.5 s it is not: lane 2 takes it (a load override) and learns the family...
    assertThat(policy.decide(first, view.withAddedLoad(1, 1.5))).contains(new RoutingDecision(2, Outcome.LOAD_OVERRIDE, 0));
    // ...so now both lanes hold it, and the less busy one serves it from cache.
    assertThat(policy.decide(first, view.withAddedLoad(1, 1.5))).contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 4));
  }

  @Test
  void shouldNotLetALaneOverTheLoadBoundTakeMoreEvenWhenItsCacheWouldWin() {
    RoutingRequest large = FixedCluster.requestWithHome(1, 2048); // 2.048 s of prefill, 128 blocks
    LaneView view = FixedCluster.view();
    assertThat(policy.decide(large, view)).contains(new RoutingDecision(1, Outcome.NEW_PREFIX, 0));
    // No request in flight is given, so the headroom is 0 and the limit is 2 x the mean.
    // Lane 1 at 7.5 s: mean 3.83, limit 7.67, so it is under the bound, and its cache wins over lane 2's
    // 1 s + 2.048 s of prefill + 3 x 2.048 s of hysteresis.
    assertThat(policy.decide(large, view.withAddedLoad(1, 7.5))).contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 128));
    // Lane 1 at 9 s: mean 13/3, limit 8.67, so lane 1 is over the bound although its cost (9 s) is still
    // below lane 2's (9.19 s).
    assertThat(policy.decide(large, view.withAddedLoad(1, 9))).contains(new RoutingDecision(2, Outcome.LOAD_OVERRIDE, 0));
  }

  @Test
  void shouldSendPromptsSharingAPrefixWhereThatPrefixIs() {
    LaneView even = LaneView.from(dev.sluice.router.Fixtures.heardAtTheirTimestamps(FixedCluster.NOW, java.util.List.of(
        dev.sluice.router.Fixtures.worker("w0", 0, java.util.List.of(0, 1, 2), 0, FixedCluster.NOW),
        dev.sluice.router.Fixtures.worker("w3", 0, java.util.List.of(3), 0, FixedCluster.NOW - 60_000))),
        1, 4, null);
    RoutingRequest a = family(11, 1, 48);
    int laneA = policy.select(a, even).orElseThrow();
    RoutingRequest b = family(11, 2, 56); // same first 32 tokens = 2 blocks
    assertThat(policy.decide(b, even)).contains(new RoutingDecision(laneA, Outcome.AFFINITY_HIT, 2));
    assertThat(laneA).isNotEqualTo(3);
  }

  @Test
  void shouldPlaceNewFamiliesOnTheirHomeLaneOnAnEvenCluster() {
    LaneView even = LaneView.idle(4);
    for (int lane = 0; lane < 4; lane++) {
      assertThat(policy.decide(FixedCluster.requestWithHome(lane, 40), even))
          .contains(new RoutingDecision(lane, Outcome.NEW_PREFIX, 0));
    }
  }

  @Test
  void shouldWarmTheSystemPromptOnAnIdleWorkerOnceItsHolderCarriesTheHeadroomAboveTheMean() {
    // Two workers of 4 lanes each: a lane's load is its owner's work in flight (all of the owner's lanes).
    // The default parameters: epsilon 1, headroom 1.5 requests.
    CacheAwarePolicy onePrompt = new CacheAwarePolicy(new InMemoryPrefixIndex(10_000), CacheAwareParams.DEFAULTS);
    dev.sluice.topics.cluster.WorkersSnapshot cluster = dev.sluice.router.Fixtures.heardAtTheirTimestamps(FixedCluster.NOW,
        java.util.List.of(dev.sluice.router.Fixtures.worker("w0", 0, java.util.List.of(0, 1, 2, 3), 0, FixedCluster.NOW),
            dev.sluice.router.Fixtures.worker("w1", 0, java.util.List.of(4, 5, 6, 7), 0, FixedCluster.NOW)));
    RoutingRequest request = family(5, 9, 320); // 20 blocks of system prompt
    int holder = onePrompt.select(request, LaneView.from(cluster, 1, 8, new double[8], 0)).orElseThrow();
    assertThat(holder).isBetween(0, 3);

    // 2 requests of 0.1 s in flight, both at the holder: mean 0.1 s, limit max(2 x 0.1, 0.1 + 1.5 x 0.1) = 0.25.
    assertThat(onePrompt.decide(request, loads(cluster, holder, 2))).contains(new RoutingDecision(holder,
        Outcome.AFFINITY_HIT, 20));
    // 3: mean 0.15, limit max(0.3, 0.3) = 0.3, which its 0.3 s reaches: worker 1 warms the prompt, cold...
    RoutingDecision warmed = onePrompt.decide(request, loads(cluster, holder, 3)).orElseThrow();
    assertThat(warmed.lane()).isBetween(4, 7);
    assertThat(warmed.outcome()).isEqualTo(Outcome.LOAD_OVERRIDE);
    // ...and from then on serves it from cache whenever it is the less loaded of the two.
    assertThat(onePrompt.decide(request, loads(cluster, holder, 2))).contains(new RoutingDecision(warmed.lane(),
        Outcome.AFFINITY_HIT, 20));
  }

  @Test
  void shouldNotLetAShortPrefixInFrontOfEveryPromptStarveTheLaneThatHoldsIt() {
    // 4 idle lanes; lanes 0-2 have served requests and hold the first 16-token block every prompt opens with,
    // lane 3 has served nothing. A 320-token prompt (20 blocks) matching only that block (5%, under the least
    // share of 10%) is weighed as matching nothing: all idle, so the lane given the least work takes it.
    LaneView idle = LaneView.of(new double[4], new boolean[] {true, true, true, true})
        .withPlacedWork(new double[] {2, 1, 3, 0}).withPrefillSpeed(1000);
    RoutingRequest opener = RoutingRequest.of("a", prompt(7, 320), MODEL, null, 16);
    RoutingRequest onlyTheFirstBlock = RoutingRequest.of("b", sharedPrefix(7, 16, 2, 320), MODEL, null, 16);
    assertThat(new CacheAwarePolicy(holding(opener, 1, 0, 1, 2), CacheAwareParams.DEFAULTS).decide(onlyTheFirstBlock, idle))
        .contains(new RoutingDecision(3, Outcome.NEW_PREFIX, 0));
    // Without the least share, a lane holding the block always costs less (16 tokens' prefill and their
    // hysteresis), so lane 3 would never win while one of the others is idle.
    CacheAwareParams noLeastShare = new CacheAwareParams(1.0, 1.5, 1000.0, 0.01, 3.0, 0.1, 0.0);
    assertThat(new CacheAwarePolicy(holding(opener, 1, 0, 1, 2), noLeastShare).decide(onlyTheFirstBlock, idle))
        .contains(new RoutingDecision(1, Outcome.AFFINITY_HIT, 1));

    // A match of 4 of the 20 blocks (20%) is worth following: the lane holding it wins although it was
    // given more work.
    RoutingRequest sameFirstFourBlocks = RoutingRequest.of("c", sharedPrefix(7, 64, 3, 320), MODEL, null, 16);
    assertThat(new CacheAwarePolicy(holding(opener, 4, 2), CacheAwareParams.DEFAULTS).decide(sameFirstFourBlocks, idle))
        .contains(new RoutingDecision(2, Outcome.AFFINITY_HIT, 4));
    // One block there is under the least share: the lane given the least work takes the prompt. The decision
    // reports the blocks the index places on the chosen lane: on lane 2 that is 1, though it did not count.
    assertThat(new CacheAwarePolicy(holding(opener, 1, 2), CacheAwareParams.DEFAULTS).decide(onlyTheFirstBlock, idle))
        .contains(new RoutingDecision(3, Outcome.NEW_PREFIX, 0));
    LaneView laneTwoLeast = LaneView.of(new double[4], new boolean[] {true, true, true, true})
        .withPlacedWork(new double[] {2, 1, 0, 3}).withPrefillSpeed(1000);
    assertThat(new CacheAwarePolicy(holding(opener, 1, 2), CacheAwareParams.DEFAULTS).decide(onlyTheFirstBlock, laneTwoLeast))
        .contains(new RoutingDecision(2, Outcome.NEW_PREFIX, 1));
  }

  /** An index placing the first {@code blocks} blocks of {@code request} on each of {@code lanes}. */
  private static InMemoryPrefixIndex holding(RoutingRequest request, int blocks, int... lanes) {
    InMemoryPrefixIndex index = new InMemoryPrefixIndex(10_000);
    for (int lane : lanes) for (int b = 0; b < blocks; b++) index.add(request.blockHashes().get(b), lane);
    return index;
  }

  /** The view with {@code requests} requests of 0.1 s in flight on {@code lane}. */
  private static LaneView loads(dev.sluice.topics.cluster.WorkersSnapshot cluster, int lane, int requests) {
    double[] inFlight = new double[8];
    inFlight[lane] = 0.1 * requests;
    return LaneView.from(cluster, 1, 8, inFlight, 0).withSecondsPerRequest(0.1);
  }
}
