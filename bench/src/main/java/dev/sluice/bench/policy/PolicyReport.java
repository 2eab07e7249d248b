package dev.sluice.bench.policy;

import dev.sluice.bench.trace.MooncakeTrace;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every policy's result on one trace, with the workload and settings they were run with (a figure
 * without its scale means nothing, so both travel with the numbers to the table and the HTML page).
 *
 * @param seed seed of the random choices of random and power_of_two
 */
public record PolicyReport(Workload workload, Settings settings, long seed, List<Report> reports) {

  /**
   * The replayed trace, summarised.
   *
   * @param name the trace file (or a description of a generated trace)
   * @param durationMs arrival time of the last request
   * @param distinctBlocks different prompt blocks in the whole trace
   * @param blockTokens tokens per block
   */
  public record Workload(String name, int requests, long durationMs, long promptTokens, long outputTokens,
      long distinctBlocks, int blockTokens) {

    public static Workload of(MooncakeTrace trace) {
      return new Workload(trace.source().toString(), trace.requests().size(), trace.durationMs(), trace.promptTokens(),
          trace.outputTokens(), trace.distinctBlocks(), MooncakeTrace.BLOCK_TOKENS);
    }
  }

  public PolicyReport {
    reports = List.copyOf(reports);
  }

  /**
   * Lane utilisation the trace would cause if nothing were cached: all service time over lanes × trace
   * duration (above 1 the lanes cannot keep up and queues grow without bound).
   */
  public double offeredLoadWithoutHits() {
    double serviceMs = workload.promptTokens() * 1000.0 / settings.prefillTokensPerSecond()
        + workload.outputTokens() * settings.decodeMsPerToken();
    return workload.durationMs() == 0 ? 0 : serviceMs / ((double) settings.lanes() * workload.durationMs());
  }

  /** Column headers of {@link #table()}, also used by the HTML table. */
  static final List<String> COLUMNS = List.of("policy", "hit rate", "pooled ceiling", "of ceiling", "busiest/mean lane",
      "latency mean", "latency p99", "requests/lane min", "requests/lane max");

  /** One row per policy, aligned for a terminal. */
  public String table() {
    StringBuilder t = new StringBuilder();
    String format = "%-13s %8s %8s %8s %12s %12s %12s %9s %9s%n";
    t.append(String.format(Locale.ROOT, format, "policy", "hit rate", "pooled", "of pool", "busiest/mean", "lat. mean",
        "lat. p99", "req/lane", "req/lane"));
    t.append(String.format(Locale.ROOT, format, "", "", "ceiling", "", "lane", "", "", "min", "max"));
    for (Report r : reports) {
      t.append(String.format(Locale.ROOT, format, r.policy(), percent(r.hitRate()), percent(r.pooledHitRate()),
          percent(ofCeiling(r)), String.format(Locale.ROOT, "%.2f", r.busyMaxOverMean()), millis(r.meanLatencyMs()),
          millis(r.p99LatencyMs()), minPerLane(r), maxPerLane(r)));
    }
    return t.toString();
  }

  /** Share of the pooled ceiling a policy reached (1 when the ceiling is 0: nothing was reusable). */
  static double ofCeiling(Report r) {
    return r.pooledHitRate() == 0 ? 1 : r.hitRate() / r.pooledHitRate();
  }

  static int minPerLane(Report r) {
    return Arrays.stream(r.requestsPerLane()).min().orElse(0);
  }

  static int maxPerLane(Report r) {
    return Arrays.stream(r.requestsPerLane()).max().orElse(0);
  }

  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
  }

  /** Three significant figures at most: 859 ms, 2.00 s, 10.8 s, 63.6 s. */
  public static String millis(double ms) {
    if (ms < 1_000) return String.format(Locale.ROOT, "%.0f ms", ms);
    return String.format(Locale.ROOT, ms < 10_000 ? "%.2f s" : "%.1f s", ms / 1000);
  }
}
