package dev.sluice.bench.prefix;

import dev.sluice.bench.policy.PolicyTargets.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The side-by-side table of {@code bench prefix} for the terminal, and the HTML page with a TTFT CDF per policy. */
public final class PrefixReport {
  private PrefixReport() {}

  private static final String ROW = "%-12s %5s %5s %8s %8s %8s %5s %15s %8s %7s %8s %9s %-36s %s%n";

  /**
   * One row per policy. "cold" counts the requests that found nothing of their prompt cached; their
   * TTFT p50 and the cache hits' are shown apart, since a cold request pays its whole prefill.
   * "decisions" are the routers' lane choices by outcome ({@link PrefixResult#decisions}).
   */
  public static String table(List<PrefixResult> results) {
    StringBuilder t = new StringBuilder(String.format(Locale.ROOT, ROW, "policy", "ok", "rej", "TTFT p50", "p90", "p99",
        "cold", "p50 hit / cold", "TPOT", "tok/s", "cached", "of ceil.", "requests per worker", "decisions"));
    for (PrefixResult r : results) {
      t.append(String.format(Locale.ROOT, ROW, r.policy(), r.completed(), r.rejected(), ms(r.ttft(50)), ms(r.ttft(90)),
          ms(r.ttft(99)), r.coldTtftMs().length, ms(r.hitTtft(50)) + " / " + ms(r.coldTtft(50)),
          r.tpotMs() < 0 ? "-" : ms(r.tpotMs()), String.format(Locale.ROOT, "%.1f", r.tokensPerSecond()),
          String.format(Locale.ROOT, "%.1f%%", 100 * r.cachedShare()), String.format(Locale.ROOT, "%.2f", r.ofCeiling()),
          workers(r.requestsPerWorker()), r.decisionsText()));
    }
    return t.toString();
  }

  private static final String MEDIAN_ROW = "%-12s %6s %5s %5s %8s %8s %8s %5s %15s %8s %7s %8s %9s %13s%n";

  /**
   * One row per policy of each figure's median over the rounds ({@link PrefixFigures#median}); the
   * busiest/mean worker in place of the counts, which differ round to round.
   */
  public static String medianTable(List<PrefixFigures> figures) {
    StringBuilder t = new StringBuilder(String.format(Locale.ROOT, MEDIAN_ROW, "policy", "rounds", "ok", "rej", "TTFT p50",
        "p90", "p99", "cold", "p50 hit / cold", "TPOT", "tok/s", "cached", "of ceil.", "busiest/mean"));
    for (PrefixFigures f : figures) {
      t.append(String.format(Locale.ROOT, MEDIAN_ROW, f.policy(), f.rounds(), count(f.completed()), count(f.rejected()),
          ms(f.ttftP50Ms()), ms(f.ttftP90Ms()), ms(f.ttftP99Ms()), count(f.cold()),
          ms(f.hitTtftP50Ms()) + " / " + ms(f.coldTtftP50Ms()), ms(f.tpotMs()),
          String.format(Locale.ROOT, "%.1f", f.tokensPerSecond()), String.format(Locale.ROOT, "%.1f%%", 100 * f.cachedShare()),
          String.format(Locale.ROOT, "%.2f", f.ofCeiling()), String.format(Locale.ROOT, "%.2f", f.busiestOverMean())));
    }
    return t.toString();
  }

  /**
   * One workload's runs: {@code rounds} in the order they ran, each with one result per policy (in
   * that round's order).
   */
  public record Section(String workload, String description, List<List<PrefixResult>> rounds) {
    public Section {
      if (rounds.isEmpty() || rounds.get(0).isEmpty()) throw new IllegalArgumentException("no results for " + workload);
      rounds = rounds.stream().map(List::copyOf).toList();
    }

    /** Every round's result of each policy, policies in the first round's order. */
    public Map<String, List<PrefixResult>> byPolicy() {
      Map<String, List<PrefixResult>> by = new LinkedHashMap<>();
      rounds.forEach(round -> round.forEach(r -> by.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r)));
      return by;
    }

    /** The figures of each policy: of its one run, or their medians over the rounds. */
    public List<PrefixFigures> figures() {
      return byPolicy().values().stream().map(PrefixFigures::median).toList();
    }

    /** Every TTFT of each policy over all its rounds, ascending. */
    Map<String, double[]> pooledTtfts() {
      Map<String, double[]> pooled = new LinkedHashMap<>();
      byPolicy().forEach((policy, runs) -> pooled.put(policy,
          runs.stream().flatMapToDouble(r -> Arrays.stream(r.ttftMs())).sorted().toArray()));
      return pooled;
    }
  }

  public static void write(List<Section> sections, String setup, Path file) throws IOException {
    StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>Sluice bench prefix</title><style>body{font-family:sans-serif;max-width:820px;margin:24px auto;color:#1a202c}"
        + "table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:3px 6px;border-bottom:1px solid #e2e8f0;"
        + "text-align:right}th:first-child,td:first-child{text-align:left}li.fail b{color:#c53030}li.pass b{color:#2f855a}"
        + "</style></head><body>\n<h1>Shared prefixes on the real pipeline</h1>\n<p>").append(escape(setup)).append("</p>\n");
    for (Section s : sections) {
      h.append("<h2>").append(escape(s.workload())).append("</h2>\n<p>").append(escape(s.description()))
          .append(String.format(Locale.ROOT, "; cached-share ceiling %.1f%%", 100 * s.rounds().get(0).get(0).ceiling()))
          .append("</p>\n");
      if (s.rounds().size() > 1) {
        h.append("<h3>Medians over ").append(s.rounds().size()).append(" rounds</h3>\n<pre>")
            .append(escape(medianTable(s.figures()))).append("</pre>\n");
      }
      h.append("<ul>\n");
      for (Target t : PrefixTargets.check(s.figures())) {
        h.append("<li class=\"").append(t.pass() ? "pass" : "fail").append("\"><b>").append(t.pass() ? "pass" : "FAIL")
            .append("</b> ").append(escape(t.name() + ": " + t.measured() + " (target " + t.goal() + ")")).append("</li>\n");
      }
      h.append("</ul>\n");
      for (int i = 0; i < s.rounds().size(); i++) {
        if (s.rounds().size() > 1) h.append("<h3>Round ").append(i + 1).append("</h3>\n");
        h.append("<pre>").append(escape(table(s.rounds().get(i)))).append("</pre>\n");
      }
      h.append("<h3>TTFT CDF").append(s.rounds().size() > 1 ? " (every round)" : "").append("</h3>\n")
          .append(cdf(s.pooledTtfts()));
    }
    h.append("</body></html>\n");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
  }

  private static final String[] COLOURS = {"#c53030", "#dd6b20", "#2f855a", "#2b6cb0", "#6b46c1", "#718096", "#b7791f"};

  /**
   * One step line per policy: x = TTFT (ms, log scale), y = share of requests with at most that TTFT.
   *
   * @param ttfts policy → its TTFTs, ascending
   */
  static String cdf(Map<String, double[]> ttfts) {
    double lo = ttfts.values().stream().filter(v -> v.length > 0).mapToDouble(v -> v[0]).min().orElse(1);
    double hi = ttfts.values().stream().filter(v -> v.length > 0).mapToDouble(v -> v[v.length - 1]).max().orElse(10);
    lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, lo))));
    hi = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, lo * 10))));
    int w = 760;
    int hgt = 300;
    double left = 50;
    double right = w - 140;
    double top = 10;
    double bottom = hgt - 30;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, hgt));
    for (double t = lo; t <= hi * 1.0001; t *= 10) {
      double x = x(t, lo, hi, left, right);
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e2e8f0\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x, top, x, bottom, x, bottom + 15,
          t >= 1000 ? String.format(Locale.ROOT, "%.0f s", t / 1000) : String.format(Locale.ROOT, "%.0f ms", t)));
    }
    for (int k = 0; k <= 4; k++) {
      double y = bottom - (bottom - top) * k / 4;
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>%n", left - 4, y + 4, 25 * k));
    }
    List<String> policies = new ArrayList<>(ttfts.keySet());
    for (int i = 0; i < policies.size(); i++) {
      String policy = policies.get(i);
      StringBuilder pts = new StringBuilder(String.format(Locale.ROOT, "%.1f,%.1f ", left, bottom));
      double[] v = ttfts.get(policy);
      for (int n = 0; n < v.length; n++) {
        double x = x(v[n], lo, hi, left, right);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f %.1f,%.1f ", x, bottom - (bottom - top) * n / v.length, x,
            bottom - (bottom - top) * (n + 1) / v.length));
      }
      String colour = COLOURS[i % COLOURS.length];
      s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
          pts.toString().trim(), colour, policy.equals("cache_aware") ? "3" : "1.5"));
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", right + 12, top + 10 + i * 18.0, right + 32, top + 10 + i * 18.0, colour,
          right + 38, top + 14 + i * 18.0, escape(policy)));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time to first token</text>%n",
        (left + right) / 2, hgt - 1));
    return s.append("</svg>\n").toString();
  }

  private static double x(double v, double lo, double hi, double left, double right) {
    return left + (right - left) * Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo);
  }

  private static String ms(double v) {
    return v < 0 ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String count(double v) {
    return v < 0 ? "-" : v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String workers(Map<String, Long> perWorker) {
    return new TreeMap<>(perWorker).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
