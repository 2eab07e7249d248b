package dev.sluice.router.view;

/**
 * How fast the lanes really are, learned from the router's own results (exponentially weighted, so
 * it follows a change of model, hardware or batching within a few dozen requests): prefill tokens per
 * second from requests placed on an idle lane (their time to first token is their prefill, plus a
 * few Kafka hops), and seconds per generated token from each finished request's time between its
 * first and last token. It starts from the configured speeds, and it is what turns the in-flight
 * table into seconds of work, so the policies weigh a queue and a prefill in the lanes' real units.
 *
 * <p>Thread-safe; one per router process.
 */
public final class LaneSpeed {
  /** Weight of a new sample. */
  static final double ALPHA = 0.2;
  /** Prefills shorter than this say more about the hops than about the prefill speed. */
  static final int MIN_PREFILL_SAMPLE_TOKENS = 32;

  private double prefillTokensPerSecond;
  private double decodeSecondsPerToken;
  private long prefillSamples;
  private long decodeSamples;

  public LaneSpeed(double prefillTokensPerSecond, double decodeSecondsPerToken) {
    this.prefillTokensPerSecond = prefillTokensPerSecond;
    this.decodeSecondsPerToken = decodeSecondsPerToken;
  }

  /** A request placed on an idle lane got its first token {@code seconds} after placement. */
  public synchronized void prefill(int prefillTokens, double seconds) {
    if (prefillTokens < MIN_PREFILL_SAMPLE_TOKENS || !(seconds > 0)) return;
    double sample = prefillTokens / seconds;
    prefillTokensPerSecond = prefillSamples++ == 0 ? sample : (1 - ALPHA) * prefillTokensPerSecond + ALPHA * sample;
  }

  /** A request generated {@code tokensAfterFirst} tokens in the {@code seconds} after its first. */
  public synchronized void decode(int tokensAfterFirst, double seconds) {
    if (tokensAfterFirst < 1 || seconds < 0) return;
    double sample = seconds / tokensAfterFirst;
    decodeSecondsPerToken = decodeSamples++ == 0 ? sample : (1 - ALPHA) * decodeSecondsPerToken + ALPHA * sample;
  }

  public synchronized double prefillTokensPerSecond() {
    return prefillTokensPerSecond;
  }

  public synchronized double decodeSecondsPerToken() {
    return decodeSecondsPerToken;
  }
}
