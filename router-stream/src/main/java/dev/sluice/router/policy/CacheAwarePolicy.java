package dev.sluice.router.policy;

/*
 * cache_aware — prefix affinity weighed against the work in flight, with bounded loads (the default).
 *
 * Load signal. load(L) = seconds of work still to do on lane L: the router's own placements there
 * that have not finished (InFlightWork: each one's remaining prefill tokens / prefillTokensPerSecond
 * + remaining tokens × decodeSecondsPerToken, updated by every TOKEN, DONE and ERROR result the
 * router reads back), or what the workers' heartbeats report (queued + active requests ×
 * reportedRequestSeconds) when that is more (work other routers or producers put there). It moves
 * with every placement and result, so it does not swing like a once-a-second queue snapshot.
 *
 * Index. A PrefixIndex, block hash -> lanes that were sent that block. Block hashes are chained, so
 * "lane L holds block j-1" means L holds the whole prefix of j blocks.
 *
 * For a request with block hashes h[0..n) and P prompt tokens, over the eligible lanes E:
 *   1. match(L) = the largest j such that L is in index[h[j-1]] (0 when none), found by walking the
 *      blocks from the last one back until every lane of E has its answer; best = max match.
 *      If best × blockSize < minMatchShare × P, every match counts as 0 (and best = 0): a lane holding
 *      under a tenth of the prompt saves under a tenth of its prefill, too little to prefer it. Without
 *      this, a short prefix in front of every prompt (Mooncake's conversation trace opens each one with
 *      the same 512-token block) makes every lane that ever served a request hold a match, and a lane
 *      that never did cannot win: it costs the block's prefill plus its hysteresis more than any idle
 *      lane holding the block, and with many lanes one of those is nearly always idle. In simulation
 *      (64 lanes, 80% load, conversation-shaped traces) lanes got 0 requests and the busiest/mean lane
 *      reached 1.21-1.40; with the least share the fewest got 0.7-0.9 of the mean, busiest/mean 1.02-1.04,
 *      and the hit rate rose (0.85 -> 0.87 of the ceiling, the same lanes serving more). The index's own
 *      match is still what the decision reports as predicted cached.
 *   2. Bounded load: limit = max((1 + epsilon) × mean load over E, mean + minHeadroomRequests × r),
 *      r = the mean seconds of work still to do of one request this router has in flight, at least
 *      reportedRequestSeconds (what one request of a heartbeat counts: the loads may be those). Lanes at or
 *      above the limit (within 1e-9 s) take nothing while any lane is under it. However popular a
 *      prefix is (one system prompt in front of every request), the lanes holding it stop taking
 *      requests once they carry more than their share, and the next request warms the prefix on an
 *      idle worker. The headroom keeps a nearly idle cluster from scattering a family (when the mean
 *      is tiny, ε × mean is no slack at all); it is counted in requests so that it means the same for
 *      40-token requests on a CPU as for 8,000-token ones on a GPU (in seconds, one value was either
 *      never reached by the first or a scatter for the second). The load of a lane is its owner's
 *      (LaneView): with 2 workers and all the work on one, that worker's lanes sit at exactly
 *      (1 + 1) × mean, hence "at or above".
 *   3. Among the lanes left, choose the lowest
 *        cost(L) = load(L) + uncached(L) / prefillTokensPerSecond
 *                + hysteresis × (uncached(L) − uncached(best)) / prefillTokensPerSecond
 *      where uncached(L) = P − match(L) × blockSize: the queue the request joins plus the prefill it
 *      still needs there, i.e. when it would get its first token on L. The hysteresis term makes a
 *      lane holding less of the prompt pay extra for the prefill it would redo, so a burst that
 *      briefly lengthens the family's lane does not move the family (each move costs a cold prefill
 *      now and a second copy of the prefix in the caches later). A lane is never starved: an idle
 *      lane costs only the prefill, so it wins as soon as the others' queues are longer than that.
 *      Ties (idle lanes, most often, for a new prefix) go to the lane whose owner this router has
 *      given the least work so far (InFlightWork's placed work, in seconds, summed over all the
 *      owner's lanes, as loads are: LaneView), and among those to the first in ring order from home =
 *      familyHash mod L. Idle lanes serve a newcomer equally soon, so this costs nobody latency, and
 *      it evens out the workers' total work (at 64 lanes in simulation, one worker per lane,
 *      busiest/mean lane 1.28 with ring order alone, 1.07 with it). It is summed per owner because a
 *      worker's cache and compute serve all its lanes: per lane, a worker that took much work on one
 *      lane would still look fresh on its others, and one owning more lanes would get more work.
 *      Costs within 1e-9 s of the lowest count as equal.
 *   4. Outcome: new_prefix when no lane matched (step 1: nothing, or under the least share);
 *      affinity_hit when the chosen lane has the longest match; load_override otherwise (the
 *      best-matching lane was over the bound or its queue was longer than the prefill it saves).
 *   5. Learning (cache_aware only): the index records that the chosen lane now holds every block of
 *      the prompt (re-adding marks them used; the router's index forgets blocks unused for
 *      index_ttl, as the workers' LRU caches would have evicted them). A family that outgrows one
 *      lane ends up replicated on several, each of which then serves it from cache.
 *
 * How it is computed, and what it costs (PrefixAffinity). Only the k lanes the index names for the
 * prompt's blocks are weighed one by one. Every other eligible lane holds none of the prompt, so its
 * cost is its load plus the same full prefill and hysteresis: the cheapest of them is the least loaded
 * one (by the tie rule of step 3), which the view keeps ordered (LanesByLoad: lanes by load, placed
 * work, number) and answers in O(log L); the mean of step 2 is a running sum there. The router's view
 * (RouterLaneView) is kept up to date between decisions, re-reading only the lanes whose work or
 * heartbeats changed. So a decision costs one index lookup per prompt block, O(k) and O(log L),
 * whatever the lane count L; the decisions are those of weighing every lane in ring order.
 *
 * Parameters (CacheAwareParams; defaults for GPT-2-small-sized stages on a CPU):
 *   epsilon 1.0                 load bound factor (step 2): a safety net against pile-ups; the cost
 *                               of step 3 already balances, and a tight bound (0.1) costs hit rate
 *                               (simulated at 80% load on the Mooncake trace, 8 lanes: 0.69 of the
 *                               pooled ceiling at ε 0.1 / 0.5 s headroom / hysteresis 0.5, 0.85 here)
 *   minHeadroomRequests 1.5     slack above the mean load, in mean requests in flight (step 2). With
 *                               2 workers and all the work on one, the holder reaches the limit with
 *                               2 × 1.5 = 3 requests in flight, so one hot prefix is warmed on the
 *                               idle worker once 3 wait on one (real pipeline, one system prompt
 *                               before every request, closed loop of 4: busiest/mean worker 1.17,
 *                               where 2.0 needed all 4 on the holder at a decision and gave 2.00);
 *                               in simulation (8 / 64 lanes, 80% load) 0.85 / 0.94 of the ceiling
 *                               (2.0: 0.87 / 0.96; 1.0: 0.79 at 8 lanes)
 *   prefillTokensPerSecond 1000 the lanes' prefill speed: turns uncached tokens into seconds
 *   decodeSecondsPerToken 0.01  one generated token's share of a lane (decode steps are batched)
 *   hysteresis 3.0              extra weight of prefill a less-matching lane would redo (step 3)
 *   reportedRequestSeconds 0.1  seconds one request in a heartbeat's queue stands for
 *   minMatchShare 0.1           least share of the prompt a lane must hold to be preferred (step 1);
 *                               0.05 to 0.5 gave the same within 2 points in simulation, 0 starved lanes
 * The index is not told about evictions; the precise policy is the variant whose index is fed by the
 * workers' kv-events instead of by its own choices.
 */

/** Prefix affinity weighed against work in flight, with bounded loads; see the comment above. */
public final class CacheAwarePolicy extends PrefixAffinity {
  public static final String NAME = "cache_aware";

  public CacheAwarePolicy(PrefixIndex index, CacheAwareParams params) {
    super(NAME, index, params);
  }

  @Override
  void chosen(RoutingRequest request, RoutingDecision decision) {
    // Every block, the matched ones too: re-adding marks them used, so a hot prefix is not aged out.
    for (byte[] hash : request.blockHashes()) index().add(hash, decision.lane());
  }
}
