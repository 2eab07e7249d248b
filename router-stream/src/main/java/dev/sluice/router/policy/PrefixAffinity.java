package dev.sluice.router.policy;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.LaneView;
import dev.sluice.router.view.LanesByLoad;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The lane choice shared by {@link CacheAwarePolicy} and {@link PrecisePolicy} (the algorithm is
 * described in {@link CacheAwarePolicy}'s block comment); they differ only in who writes the index.
 *
 * <p>How it is computed. Only the lanes the index names for the prompt's blocks (k of them) are weighed
 * one by one; every other eligible lane holds none of the prompt, so it costs its load plus the same
 * full prefill, and the cheapest of them is the least loaded, which the view's {@link LanesByLoad}
 * answers (with the tie rule below) in O(log L). Cost per decision: one index lookup per prompt block,
 * O(k) for the matched lanes, O(log L) for the rest, whatever the lane count L.
 *
 * <p>Ties: every lane whose cost is within {@link #TIE_SECONDS} of the lowest is equal; among those the
 * lane whose owner this router has given the least work wins ({@link LaneView#placedWork}), and among
 * equals the first in ring order from the family's home lane.
 */
abstract class PrefixAffinity implements RoutingPolicy {
  /** Costs closer than this are equal (floating-point noise). */
  static final double TIE_SECONDS = 1e-9;

  private final String name;
  private final PrefixIndex index;
  private final CacheAwareParams params;

  PrefixAffinity(String name, PrefixIndex index, CacheAwareParams params) {
    this.name = name;
    this.index = index;
    this.params = params;
  }

  @Override
  public final Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    RoutingDecision decision = choose(request, view, index, params);
    if (decision == null) return Optional.empty();
    chosen(request, decision);
    return Optional.of(decision);
  }

  /** What the policy does with a decision once made: nothing here (cache_aware teaches its index). */
  void chosen(RoutingRequest request, RoutingDecision decision) {}

  /** The index the policy reads. */
  final PrefixIndex index() {
    return index;
  }

  @Override
  public final String name() {
    return name;
  }

  /** The decision, or null when no lane is eligible. */
  static RoutingDecision choose(RoutingRequest request, LaneView view, PrefixIndex index, CacheAwareParams params) {
    LanesByLoad byLoad = view.byLoad();
    if (byLoad.isEmpty()) return null;
    Matches held = Matches.of(request.blockHashes(), index, view, byLoad.size());
    // Step 1, the least share: a match shorter than minMatchShare of the prompt is weighed as no match.
    Matches matches = held.best() * request.blockSize() < params.minMatchShare() * request.promptTokens() ? new Matches() : held;
    int bestUncached = request.uncachedTokens(matches.best());

    // Step 2, the bound: lanes at or above the limit take nothing while any lane is under it (a load within
    // TIE_SECONDS of the limit is at it: with two workers and all the work on one, its load is the limit).
    // One request counts at least what a heartbeat's request counts: the loads may be heartbeat-reported.
    double mean = view.averageEligibleLoad();
    double perRequest = Math.max(view.secondsPerRequest(), params.reportedRequestSeconds());
    double limit = Math.max((1 + params.epsilon()) * mean, mean + params.minHeadroomRequests() * perRequest) - TIE_SECONDS;
    double below = byLoad.minLoad(Double.POSITIVE_INFINITY, lane -> false) < limit ? limit : Double.POSITIVE_INFINITY;

    // Step 3, the cost: the matched lanes one by one, the others by their least load.
    double tokensPerSecond = view.prefillTokensPerSecond(params.prefillTokensPerSecond());
    double[] cost = new double[matches.count];
    double lowest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < matches.count; i++) {
      double load = view.load(matches.lanes[i]);
      cost[i] = load < below ? cost(load, request.uncachedTokens(matches.blocks[i]), bestUncached, tokensPerSecond, params)
          : Double.POSITIVE_INFINITY;
      lowest = Math.min(lowest, cost[i]);
    }
    double unmatchedLoad = byLoad.minLoad(below, matches::contains);
    double unmatchedExtra = cost(0, request.uncachedTokens(0), bestUncached, tokensPerSecond, params);
    if (!Double.isNaN(unmatchedLoad)) lowest = Math.min(lowest, unmatchedLoad + unmatchedExtra);

    int home = request.homeLane(view.lanes());
    int chosen = -1;
    for (int i = 0; i < matches.count; i++) {
      if (cost[i] <= lowest + TIE_SECONDS && better(matches.lanes[i], chosen, home, view)) chosen = matches.lanes[i];
    }
    if (!Double.isNaN(unmatchedLoad) && unmatchedLoad + unmatchedExtra <= lowest + TIE_SECONDS) {
      double atMost = Math.max(unmatchedLoad, lowest + TIE_SECONDS - unmatchedExtra);
      int lane = byLoad.leastPlaced(atMost, below, matches::contains, home);
      if (better(lane, chosen, home, view)) chosen = lane;
    }
    Outcome outcome = matches.best() == 0 ? Outcome.NEW_PREFIX
        : matches.blocksOf(chosen) == matches.best() ? Outcome.AFFINITY_HIT : Outcome.LOAD_OVERRIDE;
    return new RoutingDecision(chosen, outcome, held.blocksOf(chosen)); // what the index says the lane holds
  }

  /** When the request would get its first token on a lane: its queue, its prefill there, and the hysteresis. */
  private static double cost(double load, int uncached, int bestUncached, double tokensPerSecond, CacheAwareParams params) {
    double prefill = uncached / tokensPerSecond;
    double extra = (uncached - bestUncached) / tokensPerSecond;
    return load + prefill + params.hysteresis() * extra;
  }

  /** Between lanes of equal cost: the one given less work so far, then the first in ring order from home. */
  private static boolean better(int lane, int than, int home, LaneView view) {
    if (than < 0) return true;
    double placed = view.placedWork(lane);
    double placedThan = view.placedWork(than);
    if (placed != placedThan) return placed < placedThan;
    return Math.floorMod(lane - home, view.lanes()) < Math.floorMod(than - home, view.lanes());
  }

  /** The eligible lanes the index places some of the prompt on, each with its longest match in blocks. */
  private static final class Matches {
    final BitSet seen = new BitSet();
    int[] lanes = new int[4];
    int[] blocks = new int[4];
    int count;
    int best;

    /** Walks the blocks from the last one back: a lane's first appearance is its longest match. */
    static Matches of(List<byte[]> hashes, PrefixIndex index, LaneView view, int eligible) {
      Matches m = new Matches();
      for (int j = hashes.size(); j >= 1 && m.count < eligible; j--) {
        BitSet holders = index.lanesOf(hashes.get(j - 1));
        for (int lane = holders.nextSetBit(0); lane >= 0 && lane < view.lanes(); lane = holders.nextSetBit(lane + 1)) {
          if (view.isEligible(lane) && !m.seen.get(lane)) m.add(lane, j);
        }
      }
      return m;
    }

    private void add(int lane, int j) {
      if (count == lanes.length) {
        lanes = Arrays.copyOf(lanes, count * 2);
        blocks = Arrays.copyOf(blocks, count * 2);
      }
      seen.set(lane);
      lanes[count] = lane;
      blocks[count++] = j;
      best = Math.max(best, j);
    }

    boolean contains(int lane) {
      return seen.get(lane);
    }

    int best() {
      return best;
    }

    int blocksOf(int lane) {
      if (!seen.get(lane)) return 0;
      for (int i = 0; i < count; i++) if (lanes[i] == lane) return blocks[i];
      return 0;
    }
  }
}
