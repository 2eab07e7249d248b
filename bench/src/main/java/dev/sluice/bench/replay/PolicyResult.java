package dev.sluice.bench.replay;

import java.util.Map;

/**
 * What one routing policy achieved on the replayed trace.
 *
 * @param wallMs from the first submission to the last final result
 * @param ttftP50Ms time to first token, median (-1 = no data); likewise the other percentiles
 * @param workerRequests requests served per worker id (in start order)
 */
public record PolicyResult(String policy, int ok, int failed, long promptTokens, long cachedPromptTokens,
    long generatedTokens, long wallMs, long ttftP50Ms, long ttftP99Ms, long latencyP50Ms, long latencyP99Ms,
    Map<String, Long> workerRequests) {

  public PolicyResult {
    workerRequests = Map.copyOf(workerRequests);
  }

  /** Share of prompt tokens whose KV came from a worker's cache. */
  public double hitRate() {
    return promptTokens == 0 ? 0 : (double) cachedPromptTokens / promptTokens;
  }

  public double generatedTokensPerSecond() {
    return wallMs == 0 ? 0 : generatedTokens * 1000.0 / wallMs;
  }
}
