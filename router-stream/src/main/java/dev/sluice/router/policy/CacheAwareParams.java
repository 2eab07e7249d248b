package dev.sluice.router.policy;

/**
 * Parameters of {@link CacheAwarePolicy} and {@link PrecisePolicy}; the block comment of
 * {@link CacheAwarePolicy} says how each one is used. Loads are seconds of work in flight on a lane
 * ({@link dev.sluice.router.view.InFlightWork}).
 *
 * @param epsilon load bound factor: a lane whose work is at or above (1 + ε) × the mean takes no request
 *     while another lane is under the bound
 * @param minHeadroomRequests work a lane may always carry above the mean, in requests: this many times the
 *     mean work of a request in flight, so that a nearly idle cluster does not scatter a prefix family over
 *     every lane (bounded loads need a slack when loads are tiny), whatever the size of the requests
 * @param prefillTokensPerSecond prompt tokens a lane prefills per second (turns uncached tokens into seconds)
 * @param decodeSecondsPerToken seconds one generated token adds to a lane's work
 * @param hysteresis a lane that holds less of the prompt than the best-matching lane must be cheaper by
 *     (1 + hysteresis) × the extra prefill it would do, so short bursts do not move a family
 * @param reportedRequestSeconds seconds of work one request in a heartbeat's queue stands for (heartbeats
 *     count requests, not their sizes)
 * @param minMatchShare the least share of a prompt's tokens a lane must hold for the policy to prefer it: a
 *     shorter match (a one-block system prompt in front of 10,000-token prompts) counts as no match at all
 */
public record CacheAwareParams(double epsilon, double minHeadroomRequests, double prefillTokensPerSecond,
    double decodeSecondsPerToken, double hysteresis, double reportedRequestSeconds, double minMatchShare) {
  public static final CacheAwareParams DEFAULTS = new CacheAwareParams(1.0, 1.5, 1000.0, 0.01, 3.0, 0.1, 0.1);

  public CacheAwareParams {
    require(epsilon >= 0, "epsilon must be >= 0: " + epsilon);
    require(minHeadroomRequests >= 0, "min headroom must be >= 0 requests: " + minHeadroomRequests);
    require(prefillTokensPerSecond > 0, "prefill tokens per second must be > 0: " + prefillTokensPerSecond);
    require(decodeSecondsPerToken >= 0, "decode seconds per token must be >= 0: " + decodeSecondsPerToken);
    require(hysteresis >= 0, "hysteresis must be >= 0: " + hysteresis);
    require(reportedRequestSeconds >= 0, "reported request seconds must be >= 0: " + reportedRequestSeconds);
    require(minMatchShare >= 0 && minMatchShare <= 1, "min match share must be in [0, 1]: " + minMatchShare);
  }

  /** The same parameters with the lane speed of a simulation or benchmark. */
  public CacheAwareParams withLaneSpeed(double prefillPerSecond, double decodeSeconds) {
    return new CacheAwareParams(epsilon, minHeadroomRequests, prefillPerSecond, decodeSeconds, hysteresis, reportedRequestSeconds,
        minMatchShare);
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
