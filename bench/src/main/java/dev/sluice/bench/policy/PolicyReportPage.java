package dev.sluice.bench.policy;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The policy comparison as one self-contained HTML page: the workload and settings, the table, and
 * inline SVG charts. Nothing is loaded from elsewhere, so the file can be mailed or archived as is.
 */
public final class PolicyReportPage {
  private PolicyReportPage() {}

  public static void write(PolicyReport report, Path file) throws IOException {
    write(report, null, file);
  }

  /** The page with the targets and, when {@code sweep} is not null, hit rate and latency against load. */
  public static void write(PolicyReport report, LoadSweep sweep, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.writeString(file, render(report, sweep), StandardCharsets.UTF_8);
  }

  public static String render(PolicyReport report) {
    return render(report, null);
  }

  public static String render(PolicyReport report, LoadSweep sweep) {
    PolicyReport.Workload w = report.workload();
    List<Report> reports = report.reports();
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Sluice routing policies — ")
        .append(escape(fileName(w.name()))).append("</title>\n<style>\n").append(STYLE).append("</style></head><body>\n");
    h.append("<h1>Routing policies on ").append(escape(fileName(w.name()))).append("</h1>\n");
    h.append("<p class=\"lead\">Each policy replayed the same trace through the router's simulation "
        + "(<code>RoutingSimulation</code>): the policy classes the router runs, against simulated lanes with LRU "
        + "block caches. The pooled ceiling is the hit rate of one cache with every lane's capacity, the most any "
        + "router can approach. <b>").append(escape(RoutingPolicies.DEFAULT))
        .append("</b> is the default policy.</p>\n");
    settings(h, report);

    h.append("<h2>Results</h2>\n<table>\n<tr>");
    for (String column : PolicyReport.COLUMNS) h.append("<th>").append(escape(column)).append("</th>");
    h.append("<th>decisions</th></tr>\n");
    for (Report r : reports) {
      h.append("<tr class=\"policy\"><td>").append(escape(r.policy())).append("</td>");
      cell(h, PolicyReport.percent(r.hitRate()));
      cell(h, PolicyReport.percent(r.pooledHitRate()));
      cell(h, String.format(Locale.ROOT, "%.0f%%", 100 * PolicyReport.ofCeiling(r)));
      cell(h, String.format(Locale.ROOT, "%.2f", r.busyMaxOverMean()));
      cell(h, PolicyReport.millis(r.meanLatencyMs()));
      cell(h, PolicyReport.millis(r.p99LatencyMs()));
      cell(h, Integer.toString(PolicyReport.minPerLane(r)));
      cell(h, Integer.toString(PolicyReport.maxPerLane(r)));
      h.append("<td class=\"text\">").append(escape(outcomes(r.outcomes()))).append("</td></tr>\n");
    }
    h.append("</table>\n");
    List<PolicyTargets.Target> targets = PolicyTargets.check(report);
    if (!targets.isEmpty()) {
      h.append("<h2>Targets (cache_aware)</h2>\n<ul class=\"targets\">\n");
      for (PolicyTargets.Target t : targets) {
        h.append("<li class=\"").append(t.pass() ? "pass" : "fail").append("\"><b>").append(t.pass() ? "pass" : "FAIL")
            .append("</b> ").append(escape(t.name())).append(": ").append(escape(t.measured())).append(" (target ")
            .append(escape(t.goal())).append(")</li>\n");
      }
      h.append("</ul>\n");
    }
    if (sweep != null && !sweep.points().isEmpty()) {
      figure(h, "Hit rate against offered load",
          "Each point is a full replay at that offered load (lane speeds scaled; load as if nothing were cached).",
          SvgCharts.sweep(sweep, Report::hitRate, SvgCharts::percentLabel));
      figure(h, "Mean latency against offered load", "Queueing + service, mean over all requests.",
          SvgCharts.sweep(sweep, Report::meanLatencyMs, SvgCharts::millisLabel));
      figure(h, "p99 latency against offered load", "99th percentile of queueing + service.",
          SvgCharts.sweep(sweep, Report::p99LatencyMs, SvgCharts::millisLabel));
    }

    figure(h, "Cache hit rate against the pooled ceiling",
        "Dark: prompt tokens served from the chosen lane's cache. Pale: what one pooled cache of all lanes would serve.",
        SvgCharts.hitRates(reports));
    figure(h, "Load imbalance",
        "Busiest lane's total service time over the mean lane's. 1.0 is perfectly even; the busiest lane sets the tail.",
        SvgCharts.imbalance(reports));
    figure(h, "Latency (queueing + service)",
        "Bar: 99th percentile. Black tick: mean. The axis is logarithmic when policies differ by more than 20×.",
        SvgCharts.latency(reports));
    figure(h, "Requests per lane",
        "One chart per policy, all on the same scale (full height: " + reports.stream().mapToInt(PolicyReport::maxPerLane)
            .max().orElse(0) + " requests); the dashed line is an even share.", SvgCharts.lanes(reports));

    h.append("<p class=\"foot\">Generated by <code>sluice bench policies</code> at ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".</p>\n</body></html>\n");
    return h.toString();
  }

  private static void settings(StringBuilder h, PolicyReport report) {
    PolicyReport.Workload w = report.workload();
    var s = report.settings();
    CacheAwareParams ca = s.cacheAware();
    h.append("<h2>Workload and settings</h2>\n<dl>\n");
    item(h, "trace", escape(w.name()));
    item(h, "requests", String.format(Locale.ROOT, "%,d over %.1f s (%.1f requests/s)", w.requests(),
        w.durationMs() / 1000.0, w.durationMs() == 0 ? 0 : w.requests() * 1000.0 / w.durationMs()));
    item(h, "tokens", String.format(Locale.ROOT, "%,d prompt (mean %,.0f per request), %,d output",
        w.promptTokens(), w.requests() == 0 ? 0 : (double) w.promptTokens() / w.requests(), w.outputTokens()));
    item(h, "scale", String.format(Locale.ROOT, "the trace's own: blocks of %d tokens, arrival times as recorded; "
        + "%,d distinct blocks in the trace", w.blockTokens(), w.distinctBlocks()));
    item(h, "lanes", Integer.toString(s.lanes()));
    item(h, "cache per lane", String.format(Locale.ROOT, "%,d blocks (%,d tokens); pooled: %,d blocks",
        s.cacheBlocksPerLane(), (long) s.cacheBlocksPerLane() * w.blockTokens(), (long) s.cacheBlocksPerLane() * s.lanes()));
    item(h, "lane speed", String.format(Locale.ROOT, "prefill %,.0f tokens/s, decode %.2f ms per output token",
        s.prefillTokensPerSecond(), s.decodeMsPerToken()));
    item(h, "offered load", String.format(Locale.ROOT, "%.0f%% of lane capacity if nothing were cached",
        100 * report.offeredLoadWithoutHits()));
    item(h, "cache_aware / precise", String.format(Locale.ROOT,
        "ε %.2f, min headroom %.1f requests, hysteresis %.1f, min match share %.2f, load = work in flight at the lanes' speed",
        ca.epsilon(), ca.minHeadroomRequests(), ca.hysteresis(), ca.minMatchShare()));
    item(h, "seed", Long.toString(report.seed()));
    h.append("</dl>\n");
  }

  private static void item(StringBuilder h, String name, String escapedValue) {
    h.append("<dt>").append(escape(name)).append("</dt><dd>").append(escapedValue).append("</dd>\n");
  }

  private static void cell(StringBuilder h, String value) {
    h.append("<td>").append(escape(value)).append("</td>");
  }

  private static void figure(StringBuilder h, String title, String caption, String svg) {
    h.append("<h2>").append(escape(title)).append("</h2>\n<p class=\"caption\">").append(escape(caption))
        .append("</p>\n<figure>").append(svg).append("</figure>\n");
  }

  private static String outcomes(Map<String, Long> outcomes) {
    return new TreeMap<>(outcomes).entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  private static String fileName(String name) {
    String[] parts = name.split("[/\\\\]");
    return Arrays.stream(parts).reduce((a, b) -> b).orElse(name);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static final String STYLE = """
      body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a202c; max-width: 800px;
             margin: 24px auto; padding: 0 16px; line-height: 1.4; }
      h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin: 28px 0 4px; }
      p.lead, p.caption, p.foot { color: #4a5568; } p.caption { margin: 0 0 6px; font-size: 13px; }
      p.foot { font-size: 12px; margin-top: 32px; }
      dl { display: grid; grid-template-columns: 170px 1fr; gap: 2px 12px; font-size: 14px; }
      dt { color: #4a5568; } dd { margin: 0; }
      table { border-collapse: collapse; font-size: 13px; width: 100%; }
      th, td { padding: 4px 6px; border-bottom: 1px solid #e2e8f0; text-align: right; }
      td { white-space: nowrap; } td.text { white-space: normal; }
      th { background: #f7fafc; font-weight: 600; vertical-align: bottom; }
      th:first-child, td:first-child, td.text { text-align: left; } td.text { font-size: 11px; color: #4a5568; }
      figure { margin: 0; }
      code { font-size: 13px; }
      ul.targets { font-size: 14px; } li.pass b { color: #2f855a; } li.fail b { color: #c53030; }
      """;
}
