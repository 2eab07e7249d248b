package dev.sluice.router.policy;

/*
 * precise — cache_aware's lane choice (the same load signal, bound, cost and hysteresis: see
 * CacheAwarePolicy) over an index fed by the workers' kv-events instead of by the router's own
 * choices.
 *
 * Index. A lane counts as holding a block only after a worker that owns the lane reported storing
 * it for a request on that lane, and stops counting once a worker reports evicting it. A worker's
 * block cache is shared by all the lanes it owns, so an eviction is reported under every lane the
 * block had been stored or used for on that worker (not under the lane of the request whose store
 * pushed it out); a block whose lanes the worker no longer knows (restored from its file after a
 * restart) is reported under lane -1, which forgets it on every lane. Any stage's eviction counts:
 * a block missing on one stage has to be recomputed there. The policy never writes the index.
 *
 * Until the first kv-events of a new family arrive, ties go to the family's home lane (ring order
 * from its hash), so a burst of one new prefix still lands on one lane; the in-flight load then
 * spreads it when the burst outgrows the lane.
 *
 * Parameters: the CacheAwareParams of cache_aware (epsilon, minHeadroomRequests,
 * prefillTokensPerSecond, decodeSecondsPerToken, hysteresis, reportedRequestSeconds), used the same way.
 */

/** cache_aware's choice over the index the workers' kv-events feed; see the comment above. */
public final class PrecisePolicy extends PrefixAffinity {
  public static final String NAME = "precise";

  /** @param workerReportedIndex the index kept from kv-events (read only here) */
  public PrecisePolicy(PrefixIndex workerReportedIndex, CacheAwareParams params) {
    super(NAME, workerReportedIndex, params); // the workers' kv-events teach the index, not its choices
  }
}
