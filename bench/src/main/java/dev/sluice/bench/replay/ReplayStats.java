package dev.sluice.bench.replay;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Collects the outcome of one policy's replay: counts, cached prompt tokens and HdrHistogram
 * percentiles of time to first token and latency (milliseconds). Thread-safe: completions arrive on
 * the client's consumer thread.
 */
public final class ReplayStats {
  private static final long MAX_MS = 3_600_000;

  private final String policy;
  private final Histogram ttftMs = new Histogram(MAX_MS, 3);
  private final Histogram latencyMs = new Histogram(MAX_MS, 3);
  private int ok;
  private int failed;
  private long promptTokens;
  private long cachedPromptTokens;
  private long generatedTokens;
  private long firstSubmitMs = Long.MAX_VALUE;
  private long lastDoneMs;

  public ReplayStats(String policy) {
    this.policy = policy;
  }

  public synchronized void submitted(long atMs) {
    firstSubmitMs = Math.min(firstSubmitMs, atMs);
  }

  /**
   * A finished request. Times are epoch ms; a negative TTFT (no token) is left out of the TTFT
   * histogram but the request still counts.
   */
  public synchronized void completed(int prompt, int cached, int generated, long ttft, long latency, long doneAtMs) {
    ok++;
    promptTokens += prompt;
    cachedPromptTokens += cached;
    generatedTokens += generated;
    if (ttft >= 0) ttftMs.recordValue(Math.min(ttft, MAX_MS));
    if (latency >= 0) latencyMs.recordValue(Math.min(latency, MAX_MS));
    lastDoneMs = Math.max(lastDoneMs, doneAtMs);
  }

  /** A request that ended in an ERROR result, a timeout or a lost reply partition. */
  public synchronized void failed() {
    failed++;
  }

  public synchronized int finished() {
    return ok + failed;
  }

  /** The numbers of this run; {@code workerRequests} maps worker id to requests it served. */
  public synchronized PolicyResult result(Map<String, Long> workerRequests) {
    long wallMs = lastDoneMs > firstSubmitMs && firstSubmitMs != Long.MAX_VALUE ? lastDoneMs - firstSubmitMs : 0;
    return new PolicyResult(policy, ok, failed, promptTokens, cachedPromptTokens, generatedTokens, wallMs,
        percentile(ttftMs, 50), percentile(ttftMs, 99), percentile(latencyMs, 50), percentile(latencyMs, 99),
        new LinkedHashMap<>(workerRequests));
  }

  private static long percentile(Histogram h, double p) {
    return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p);
  }
}
