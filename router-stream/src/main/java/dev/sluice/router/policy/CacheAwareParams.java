package dev.sluice.router.policy;

/**
 * Parameters of {@link CacheAwarePolicy} and {@link PrecisePolicy}; see the block comment of
 * {@link CacheAwarePolicy} for how each one is used.
 *
 * @param epsilon load bound factor: no lane takes a request while its load is at or above (1 + ε) × the mean
 * @param minHeadroom requests a lane may always hold above the mean, so that a nearly idle cluster does
 *     not scatter a prefix family over every lane (bounded loads need a slack when loads are tiny)
 * @param prefillTokensPerSecond prompt tokens a lane prefills per second (turns uncached tokens into seconds)
 * @param queuedRequestSeconds seconds one queued request delays a newcomer (turns load into seconds)
 */
public record CacheAwareParams(double epsilon, double minHeadroom, double prefillTokensPerSecond, double queuedRequestSeconds) {
  public static final CacheAwareParams DEFAULTS = new CacheAwareParams(0.1, 2.0, 1000.0, 0.01);

  public CacheAwareParams {
    if (!(epsilon >= 0)) throw new IllegalArgumentException("epsilon must be >= 0: " + epsilon);
    if (!(minHeadroom >= 0)) throw new IllegalArgumentException("min headroom must be >= 0: " + minHeadroom);
    if (!(prefillTokensPerSecond > 0)) throw new IllegalArgumentException("prefill tokens per second must be > 0: " + prefillTokensPerSecond);
    if (!(queuedRequestSeconds >= 0)) throw new IllegalArgumentException("queued request seconds must be >= 0: " + queuedRequestSeconds);
  }
}
