package dev.sluice.router.policy;

import dev.sluice.router.policy.RoutingDecision.Outcome;
import dev.sluice.router.view.ClusterView;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/*
 * cache_aware — prefix affinity with bounded loads (the default policy).
 *
 * State: a PrefixIndex, block hash -> set of lanes that were sent that block. Block hashes are
 * chained, so "lane L holds block j-1" means L holds the whole prefix of j blocks.
 *
 * For a request with block hashes h[0..n) and P prompt tokens, over the eligible lanes E:
 *   1. match(L) = the largest j such that L is in index[h[j-1]] (0 when none), found by walking the
 *      blocks from the last one back until every lane of E has its answer.
 *   2. limit = max((1 + epsilon) * mean load over E, mean load + minHeadroom).
 *      A lane is under the bound when its load < limit. This is consistent hashing with bounded
 *      loads: however popular a prefix is (one system prompt in front of every request), the lanes
 *      holding it stop taking new requests once they carry more than their share, and the request
 *      goes where it costs least. minHeadroom keeps a nearly idle cluster from scattering a family.
 *   3. Among the lanes under the bound (all of E if none is), choose the lowest
 *        cost(L) = (P - match(L) * blockSize) / prefillTokensPerSecond + load(L) * queuedRequestSeconds
 *      i.e. the prefill still to do there plus the queue the request joins, both in seconds.
 *      Ties (always the case for a brand-new prefix on an even cluster) go to the first lane in ring
 *      order from home = familyHash mod L, so new families spread evenly and every router instance
 *      places the same family the same way.
 *   4. Outcome: new_prefix when no lane matched any block; affinity_hit when the chosen lane has the
 *      longest match; load_override otherwise (the best-matching lane was over the bound or too busy).
 *   5. Learning (cache_aware only): the index records that the chosen lane now holds every block of
 *      the prompt (and that they were just used: the router's index forgets blocks unused for
 *      index_ttl, as the workers' LRU caches would have evicted them). A family that outgrows one lane therefore ends up replicated on several lanes,
 *      each of which can then serve it with a cache hit.
 *
 * Parameters (CacheAwareParams): epsilon (0.1), minHeadroom (2 requests), prefillTokensPerSecond
 * (1000), queuedRequestSeconds (0.01: workers batch decode steps, so one more queued sequence delays
 * a newcomer by about its share of a batched step, not by a whole request; balancing is mostly the
 * bound's job, and within the bound cached prefixes should win). The index itself is not told about evictions; the precise
 * policy is the variant whose index is fed by the workers' kv-events instead of by its own choices.
 */

/** Prefix affinity with bounded loads; the algorithm is described in the comment above. */
public class CacheAwarePolicy implements RoutingPolicy {
  public static final String NAME = "cache_aware";

  private final PrefixIndex index;
  private final CacheAwareParams params;
  private final boolean learn;

  public CacheAwarePolicy(PrefixIndex index, CacheAwareParams params) {
    this(index, params, true);
  }

  protected CacheAwarePolicy(PrefixIndex index, CacheAwareParams params, boolean learn) {
    this.index = index;
    this.params = params;
    this.learn = learn;
  }

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, ClusterView view) {
    List<Integer> eligible = view.eligibleLanes();
    if (eligible.isEmpty()) return Optional.empty();

    int[] match = longestMatches(request.blockHashes(), view, eligible);
    int bestMatch = 0;
    for (int lane : eligible) bestMatch = Math.max(bestMatch, match[lane]);

    double mean = view.averageEligibleLoad();
    double limit = Math.max((1 + params.epsilon()) * mean, mean + params.minHeadroom());
    boolean anyUnder = false;
    for (int lane : eligible) anyUnder |= view.load(lane) < limit;

    int home = (int) (request.familyNumber() % view.lanes());
    int chosen = -1;
    double chosenCost = Double.POSITIVE_INFINITY;
    // Visiting lanes in ring order from home makes the first lane with the lowest cost win ties.
    for (int i = 0; i < view.lanes(); i++) {
      int lane = (home + i) % view.lanes();
      if (!view.isEligible(lane) || (anyUnder && view.load(lane) >= limit)) continue;
      double cost = request.uncachedTokens(match[lane]) / params.prefillTokensPerSecond()
          + view.load(lane) * params.queuedRequestSeconds();
      if (cost < chosenCost) {
        chosen = lane;
        chosenCost = cost;
      }
    }

    Outcome outcome = bestMatch == 0 ? Outcome.NEW_PREFIX
        : match[chosen] == bestMatch ? Outcome.AFFINITY_HIT : Outcome.LOAD_OVERRIDE;
    if (learn) {
      List<byte[]> hashes = request.blockHashes();
      // Every block, the matched ones too: re-adding marks them used, so a hot prefix is not aged out.
      for (byte[] hash : hashes) index.add(hash, chosen);
    }
    return Optional.of(new RoutingDecision(chosen, outcome, match[chosen]));
  }

  /** match[lane] = blocks of the prompt's prefix the index places on that lane (see step 1). */
  private int[] longestMatches(List<byte[]> hashes, ClusterView view, List<Integer> eligible) {
    int[] match = new int[view.lanes()];
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

  @Override
  public String name() {
    return NAME;
  }
}
