package dev.sluice.router.policy;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.LaneView;
import java.util.BitSet;
import java.util.List;

/**
 * The lane choice shared by {@link CacheAwarePolicy} and {@link PrecisePolicy} (the algorithm is
 * described in {@link CacheAwarePolicy}'s block comment); they differ only in who writes the index.
 */
final class PrefixAffinity {
  private PrefixAffinity() {}

  /** Costs closer than this are equal (floating-point noise). */
  private static final double TIE_SECONDS = 1e-9;

  /** The decision, or null when no lane is eligible. */
  static RoutingDecision choose(RoutingRequest request, LaneView view, PrefixIndex index, CacheAwareParams params) {
    List<Integer> eligible = view.eligibleLanes();
    if (eligible.isEmpty()) return null;
    int[] match = longestMatches(request.blockHashes(), index, view.lanes(), eligible);
    int bestMatch = 0;
    for (int lane : eligible) bestMatch = Math.max(bestMatch, match[lane]);
    int bestUncached = request.uncachedTokens(bestMatch);

    double mean = view.averageEligibleLoad();
    double limit = Math.max((1 + params.epsilon()) * mean, mean + params.minHeadroomSeconds());
    boolean anyUnder = false;
    for (int lane : eligible) anyUnder |= view.load(lane) < limit;

    double tokensPerSecond = view.prefillTokensPerSecond(params.prefillTokensPerSecond());
    int home = request.homeLane(view.lanes());
    int chosen = -1;
    double chosenCost = Double.POSITIVE_INFINITY;
    // Ring order from home: the first lane with the lowest cost wins ties.
    for (int i = 0; i < view.lanes(); i++) {
      int lane = (home + i) % view.lanes();
      if (!view.isEligible(lane) || (anyUnder && view.load(lane) >= limit)) continue;
      double prefill = request.uncachedTokens(match[lane]) / tokensPerSecond;
      double extra = (request.uncachedTokens(match[lane]) - bestUncached) / tokensPerSecond;
      double cost = view.load(lane) + prefill + params.hysteresis() * extra;
      // Equal costs (idle lanes, most often): the lane given the least work so far evens out the lanes' totals.
      if (cost < chosenCost - TIE_SECONDS || (cost <= chosenCost + TIE_SECONDS && view.placedWork(lane) < view.placedWork(chosen))) {
        chosen = lane;
        chosenCost = cost;
      }
    }
    Outcome outcome = bestMatch == 0 ? Outcome.NEW_PREFIX
        : match[chosen] == bestMatch ? Outcome.AFFINITY_HIT : Outcome.LOAD_OVERRIDE;
    return new RoutingDecision(chosen, outcome, match[chosen]);
  }

  /** match[lane] = blocks of the prompt's prefix the index places on that lane. */
  private static int[] longestMatches(List<byte[]> hashes, PrefixIndex index, int lanes, List<Integer> eligible) {
    int[] match = new int[lanes];
    BitSet open = new BitSet();
    for (int lane : eligible) open.set(lane);
    for (int j = hashes.size(); j >= 1 && !open.isEmpty(); j--) {
      BitSet holders = index.lanesOf(hashes.get(j - 1));
      holders.and(open);
      for (int lane = holders.nextSetBit(0); lane >= 0; lane = holders.nextSetBit(lane + 1)) match[lane] = j;
      open.andNot(holders);
    }
    return match;
  }
}
