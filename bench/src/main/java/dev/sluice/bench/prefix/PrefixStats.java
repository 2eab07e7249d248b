package dev.sluice.bench.prefix;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects one run's completions (thread-safe: they arrive on the client's consumer thread). */
public final class PrefixStats {
  private final List<Double> hitTtft = new ArrayList<>();
  private final List<Double> coldTtft = new ArrayList<>();
  private double tpotSum;
  private int tpotCount;
  private long prompt;
  private long cached;
  private long generated;
  private int completed;
  private int rejected;
  private long firstSubmitMs = Long.MAX_VALUE;
  private long lastDoneMs;

  public synchronized void submitted(long atMs) {
    firstSubmitMs = Math.min(firstSubmitMs, atMs);
  }

  /** A DONE completion; times in ms (TTFT < 0 = no token, left out). */
  public synchronized void completed(int promptTokens, int cachedTokens, int completionTokens, long ttftMs, long latencyMs,
      long doneAtMs) {
    completed++;
    prompt += promptTokens;
    cached += cachedTokens;
    generated += completionTokens;
    if (ttftMs >= 0) (cachedTokens > 0 ? hitTtft : coldTtft).add((double) ttftMs);
    if (ttftMs >= 0 && completionTokens > 1 && latencyMs >= ttftMs) {
      tpotSum += (double) (latencyMs - ttftMs) / (completionTokens - 1);
      tpotCount++;
    }
    lastDoneMs = Math.max(lastDoneMs, doneAtMs);
  }

  public synchronized void rejected() {
    rejected++;
  }

  public synchronized int finished() {
    return completed + rejected;
  }

  public synchronized PrefixResult result(String policy, String workload, double ceiling, Map<String, Long> perWorker,
      Map<String, Long> decisions) {
    long wall = firstSubmitMs == Long.MAX_VALUE || lastDoneMs < firstSubmitMs ? 0 : lastDoneMs - firstSubmitMs;
    return new PrefixResult(policy, workload, hitTtft.stream().mapToDouble(Double::doubleValue).toArray(),
        coldTtft.stream().mapToDouble(Double::doubleValue).toArray(),
        tpotCount == 0 ? -1 : tpotSum / tpotCount, prompt, cached, generated, wall, completed, rejected, ceiling, perWorker,
        decisions);
  }
}
