package dev.sluice.ingress.admission;

import dev.sluice.ingress.openai.ApiError;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-API-key limits, as token buckets (Bucket4j): requests per second, and tokens per minute. A
 * request is charged its estimated tokens when admitted — {@code max_tokens} plus its prompt (token
 * ids, or characters / 4) — and the estimate is settled against the request's real usage when it
 * ends (unused tokens go back, extra ones are taken). Over a limit the answer is 429
 * {@code rate_limit_exceeded} with a Retry-After of when the bucket will hold enough again. Without
 * API keys every request counts against one shared key. Limits of 0 are off. Buckets live in this
 * instance: with N instances behind a balancer a key gets up to N times the limit.
 */
public final class KeyLimits {
  /** Whoever sends no key (when none are configured). */
  public static final String ANONYMOUS = "";

  private final double requestsPerSecond;
  private final long tokensPerMinute;
  private final Map<String, Bucket> requests = new ConcurrentHashMap<>();
  private final Map<String, Bucket> tokens = new ConcurrentHashMap<>();

  public KeyLimits(double requestsPerSecond, long tokensPerMinute) {
    this.requestsPerSecond = requestsPerSecond;
    this.tokensPerMinute = tokensPerMinute;
  }

  /** The tokens a request is charged for: settle it with the request's real usage (only the first call counts). */
  public interface Charge {
    void settle(long usedTokens);

    /** The request was not served after all (turned away by a later check). */
    void refund();
  }

  private static final Charge FREE = new Charge() {
    @Override
    public void settle(long usedTokens) {}

    @Override
    public void refund() {}
  };

  /** Admits a request of {@code estimatedTokens} for {@code key}, or throws the 429. */
  public Charge admit(String key, long estimatedTokens) {
    Bucket perSecond = requestsPerSecond > 0 ? requests.computeIfAbsent(key, k -> requestBucket()) : null;
    Bucket perMinute = tokensPerMinute > 0 ? tokens.computeIfAbsent(key, k -> tokenBucket()) : null;
    if (perSecond != null) {
      ConsumptionProbe probe = perSecond.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        throw limited("requests per second", requestsPerSecond, probe.getNanosToWaitForRefill());
      }
    }
    if (perMinute == null) return FREE;
    long charged = Math.min(estimatedTokens, tokensPerMinute); // a request larger than the whole minute still runs, alone
    ConsumptionProbe probe = perMinute.tryConsumeAndReturnRemaining(charged);
    if (!probe.isConsumed()) {
      if (perSecond != null) perSecond.addTokens(1);
      throw limited("tokens per minute", tokensPerMinute, probe.getNanosToWaitForRefill());
    }
    java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
    return new Charge() {
      @Override
      public void settle(long used) {
        if (settled.getAndSet(true)) return;
        if (used < charged) perMinute.addTokens(charged - used); else if (used > charged) perMinute.consumeIgnoringRateLimits(used - charged);
      }

      @Override
      public void refund() {
        if (settled.getAndSet(true)) return;
        perMinute.addTokens(charged);
        if (perSecond != null) perSecond.addTokens(1);
      }
    };
  }

  private Bucket requestBucket() {
    long capacity = Math.max(1, (long) Math.ceil(requestsPerSecond));
    long periodNanos = (long) (capacity * 1e9 / requestsPerSecond);
    return Bucket.builder().addLimit(Bandwidth.builder().capacity(capacity)
        .refillGreedy(capacity, Duration.ofNanos(periodNanos)).build()).build();
  }

  private Bucket tokenBucket() {
    return Bucket.builder().addLimit(Bandwidth.builder().capacity(tokensPerMinute)
        .refillGreedy(tokensPerMinute, Duration.ofMinutes(1)).build()).build();
  }

  private static ApiError limited(String what, double limit, long nanosToWait) {
    int seconds = (int) Math.max(1, Math.ceil(nanosToWait / 1e9));
    String shown = limit == Math.rint(limit) ? String.valueOf((long) limit) : String.valueOf(limit);
    return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null,
        "this API key is over its limit of " + shown + " " + what + "; retry in " + seconds + " s").withRetryAfter(seconds);
  }
}
