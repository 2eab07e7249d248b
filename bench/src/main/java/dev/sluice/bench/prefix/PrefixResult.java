package dev.sluice.bench.prefix;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One policy's run of one workload on a fresh pipeline.
 *
 * @param hitTtftMs time to first token of every completed request that found part of its prompt cached, ascending
 * @param coldTtftMs the same of those that found none of it cached (computed their whole prompt), ascending
 * @param tpotMs mean time per output token after the first, over requests with more than one token (-1: none)
 * @param wallMs first submission to last final result
 * @param rejected requests that ended in an ERROR or timed out
 * @param ceiling the workload's own cached share ceiling ({@link PrefixWorkload#ceiling})
 * @param requestsPerWorker requests each worker served (worker id → count)
 * @param decisions the routers' lane choices for this run's requests by outcome label (affinity_hit,
 *     load_override, new_prefix, fallback, load_balanced; only those that occurred), in that order
 */
public record PrefixResult(String policy, String workload, double[] hitTtftMs, double[] coldTtftMs, double tpotMs,
    long promptTokens, long cachedTokens, long generatedTokens, long wallMs, int completed, int rejected, double ceiling,
    Map<String, Long> requestsPerWorker, Map<String, Long> decisions) {

  public PrefixResult {
    hitTtftMs = hitTtftMs.clone();
    Arrays.sort(hitTtftMs);
    coldTtftMs = coldTtftMs.clone();
    Arrays.sort(coldTtftMs);
    requestsPerWorker = Map.copyOf(requestsPerWorker);
    decisions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(decisions));
  }

  /** The decisions as {@code affinity_hit 40, new_prefix 8}; "-" when none were counted. */
  public String decisionsText() {
    if (decisions.isEmpty()) return "-";
    return decisions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** TTFT of every completed request, cache hit or cold, ascending. */
  public double[] ttftMs() {
    double[] all = Arrays.copyOf(hitTtftMs, hitTtftMs.length + coldTtftMs.length);
    System.arraycopy(coldTtftMs, 0, all, hitTtftMs.length, coldTtftMs.length);
    Arrays.sort(all);
    return all;
  }

  /** The p-th percentile (0..100) of TTFT, nearest rank; -1 without data. */
  public double ttft(double p) {
    return percentile(ttftMs(), p);
  }

  /** The same over the requests that found part of their prompt cached. */
  public double hitTtft(double p) {
    return percentile(hitTtftMs, p);
  }

  /** The same over the cold requests: nothing of their prompt was cached. */
  public double coldTtft(double p) {
    return percentile(coldTtftMs, p);
  }

  private static double percentile(double[] ascending, double p) {
    if (ascending.length == 0) return -1;
    int rank = (int) Math.ceil(p / 100 * ascending.length);
    return ascending[Math.max(0, Math.min(ascending.length - 1, rank - 1))];
  }

  public double cachedShare() {
    return promptTokens == 0 ? 0 : (double) cachedTokens / promptTokens;
  }

  public double ofCeiling() {
    return ceiling == 0 ? 1 : cachedShare() / ceiling;
  }

  public double tokensPerSecond() {
    return wallMs == 0 ? 0 : generatedTokens * 1000.0 / wallMs;
  }

  /**
   * Busiest over mean worker, by requests served, within each stage (workers named
   * {@code s<stage>w<i>}); the worst stage.
   */
  public double busiestOverMean() {
    Map<String, List<Long>> byStage = new java.util.TreeMap<>();
    requestsPerWorker.forEach((id, n) -> byStage.computeIfAbsent(id.replaceAll("w\\d+$", ""), k -> new java.util.ArrayList<>()).add(n));
    double worst = 1;
    for (List<Long> counts : byStage.values()) {
      double mean = counts.stream().mapToLong(Long::longValue).average().orElse(0);
      long max = counts.stream().mapToLong(Long::longValue).max().orElse(0);
      if (mean > 0) worst = Math.max(worst, max / mean);
    }
    return worst;
  }
}
