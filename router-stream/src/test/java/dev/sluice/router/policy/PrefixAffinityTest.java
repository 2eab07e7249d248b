package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.LaneView;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * cache_aware's choice, computed from the matched lanes and the view's lanes by load, is the one the
 * plain definition gives: every eligible lane weighed in ring order from home (the lowest cost wins;
 * equal costs go to the lane given the least work so far, then to the first in ring order).
 */
class PrefixAffinityTest {

  @Test
  void shouldChooseWhatWeighingEveryLaneInRingOrderChooses() {
    Random random = new Random(11);
    CacheAwareParams params = new CacheAwareParams(0.5, 1.5, 1000.0, 0.01, 3.0, 0.1, 0.3);
    int lanesChecked = 0;
    int overrides = 0;
    for (int round = 0; round < 3_000; round++) {
      int lanes = 1 + random.nextInt(round % 3 == 0 ? 4 : 40);
      RoutingRequest request = FixedCluster.request(1 + random.nextInt(50), 16 * (1 + random.nextInt(6)) + random.nextInt(16));
      double[] load = new double[lanes];
      double[] placed = new double[lanes];
      boolean[] eligible = new boolean[lanes];
      InMemoryPrefixIndex index = new InMemoryPrefixIndex(1_000);
      for (int lane = 0; lane < lanes; lane++) {
        // few distinct values, so that equal loads and equal placed work are common
        load[lane] = random.nextInt(4) * 0.25;
        placed[lane] = random.nextInt(3);
        eligible[lane] = random.nextInt(6) != 0;
        int held = random.nextInt(3) == 0 ? random.nextInt(request.blockHashes().size() + 1) : 0;
        for (int b = 0; b < held; b++) index.add(request.blockHashes().get(b), lane);
      }
      LaneView view = LaneView.of(load, eligible).withPlacedWork(placed).withPrefillSpeed(500)
          .withSecondsPerRequest(random.nextInt(3) * 0.25); // the headroom's unit: 0 when none is in flight
      RoutingDecision expected = everyLaneInRingOrder(request, view, index, params);
      RoutingDecision actual = PrefixAffinity.choose(request, view, index, params);
      assertThat(actual).as("round %d: %s, home %d", round, view, request.homeLane(lanes)).isEqualTo(expected);
      lanesChecked += lanes;
      if (actual != null && actual.outcome() == Outcome.LOAD_OVERRIDE) overrides++;
    }
    assertThat(lanesChecked).isGreaterThan(30_000);
    assertThat(overrides).as("the bound and the costs were put to work").isGreaterThan(100);
  }

  /** The definition, lane by lane (what PrefixAffinity computed before it kept the lanes by load). */
  private static RoutingDecision everyLaneInRingOrder(RoutingRequest request, LaneView view, PrefixIndex index,
      CacheAwareParams params) {
    List<Integer> eligible = view.eligibleLanes();
    if (eligible.isEmpty()) return null;
    int[] match = new int[view.lanes()];
    List<byte[]> hashes = request.blockHashes();
    for (int lane : eligible) {
      for (int j = hashes.size(); j >= 1 && match[lane] == 0; j--) {
        BitSet holders = index.lanesOf(hashes.get(j - 1));
        if (holders.get(lane)) match[lane] = j;
      }
    }
    int bestMatch = 0;
    for (int lane : eligible) bestMatch = Math.max(bestMatch, match[lane]);
    // A match under the least share of the prompt is no match: every lane is weighed as holding nothing.
    int[] affinity = match.clone();
    if (bestMatch * request.blockSize() < params.minMatchShare() * request.promptTokens()) {
      java.util.Arrays.fill(affinity, 0);
      bestMatch = 0;
    }
    int bestUncached = request.uncachedTokens(bestMatch);
    double mean = view.averageEligibleLoad();
    double perRequest = Math.max(view.secondsPerRequest(), params.reportedRequestSeconds());
    double limit = Math.max((1 + params.epsilon()) * mean, mean + params.minHeadroomRequests() * perRequest)
        - PrefixAffinity.TIE_SECONDS;
    boolean anyUnder = false;
    for (int lane : eligible) anyUnder |= view.load(lane) < limit;
    double tokensPerSecond = view.prefillTokensPerSecond(params.prefillTokensPerSecond());
    int home = request.homeLane(view.lanes());
    int chosen = -1;
    double chosenCost = Double.POSITIVE_INFINITY;
    for (int i = 0; i < view.lanes(); i++) {
      int lane = (home + i) % view.lanes();
      if (!view.isEligible(lane) || (anyUnder && view.load(lane) >= limit)) continue;
      double prefill = request.uncachedTokens(affinity[lane]) / tokensPerSecond;
      double extra = (request.uncachedTokens(affinity[lane]) - bestUncached) / tokensPerSecond;
      double cost = view.load(lane) + prefill + params.hysteresis() * extra;
      if (cost < chosenCost - PrefixAffinity.TIE_SECONDS
          || (cost <= chosenCost + PrefixAffinity.TIE_SECONDS && view.placedWork(lane) < view.placedWork(chosen))) {
        chosen = lane;
        chosenCost = cost;
      }
    }
    Outcome outcome = bestMatch == 0 ? Outcome.NEW_PREFIX
        : affinity[chosen] == bestMatch ? Outcome.AFFINITY_HIT : Outcome.LOAD_OVERRIDE;
    return new RoutingDecision(chosen, outcome, match[chosen]);
  }
}
