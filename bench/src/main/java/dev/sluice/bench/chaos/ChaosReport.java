package dev.sluice.bench.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The fault suite's table and targets, printed and as an HTML page with a completion timeline per pass. */
public final class ChaosReport {
  static final String STALL_DEFINITION = "longest stall = the longest any request waited for its next event as its "
      + "client received it (send to first event, between events, to [DONE]); after a router kill also counted "
      + "from the replacement's start; fault->next = from the fault to the next completed request";
  private static final String[] HEADER = {"pass", "completed", "differing", "dup terminal", "dup (id,index)",
      "HTTP errors", "resumed", "resent", "unclaimed gen.", "longest stall", "after replacement", "fault->next", "duration"};

  private ChaosReport() {}

  public static void print(ChaosRun.Result result, PrintWriter out) {
    out.println();
    out.println(STALL_DEFINITION + "; resent = sent again before any event arrived (no id to resume); unclaimed gen. ="
        + " request ids on the results topic during the pass that no client was given");
    out.printf(Locale.ROOT, "%-14s %10s %9s %12s %14s %11s %7s %6s %14s %13s %17s %11s %9s%n", (Object[]) HEADER);
    for (PassFigures f : result.passes()) out.printf(Locale.ROOT, "%-14s %10s %9s %12s %14s %11s %7s %6s %14s %13s %17s %11s %9s%n", (Object[]) row(f));
    out.println("targets:");
    for (ChaosTargets.Target t : ChaosTargets.all(result.passes())) {
      out.printf("  [%s] %s: %s (%s)%n", t.met() ? "met" : "MISS", t.pass(), t.what(), t.measured());
    }
    for (PassFigures f : result.passes()) {
      if (f.fault() != null) out.printf("  %s: %s%n", f.name(), f.marks().note());
      for (String e : f.errorSamples()) out.printf("  %s: client error: %s%n", f.name(), e);
    }
    out.flush();
  }

  private static String[] row(PassFigures f) {
    return new String[] {f.name(), f.completed() + "/" + f.sent(), f.fault() == null ? "(ref)" : String.valueOf(f.differing()),
        String.valueOf(f.duplicateTerminals()), String.valueOf(f.duplicatePairs()), String.valueOf(f.httpErrors()),
        String.valueOf(f.resumed()), String.valueOf(f.resubmitted()), String.valueOf(f.unknownGenerations()),
        ms(f.longestStallMs()), ms(f.stallAfterReplacementMs()), ms(f.faultToNextCompletionMs()),
        String.format(Locale.ROOT, "%.1f s", f.durationS())};
  }

  private static String ms(long ms) {
    return ms < 0 ? "-" : ms + " ms";
  }

  public static Path writeHtml(ChaosRun.Result result, Path file) throws IOException {
    StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>sluice bench chaos"
        + "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid "
        + "#cbd5e1;padding:4px 8px;text-align:right}td:first-child{text-align:left}.met{color:#15803d}.miss{color:#b91c1c;"
        + "font-weight:bold}</style></head><body><h1>sluice bench chaos</h1><p>").append(esc(STALL_DEFINITION)).append(
        "</p><table><tr>");
    for (String c : HEADER) h.append("<th>").append(esc(c)).append("</th>");
    h.append("</tr>");
    for (PassFigures f : result.passes()) {
      h.append("<tr>");
      for (String c : row(f)) h.append("<td>").append(esc(c)).append("</td>");
      h.append("</tr>");
    }
    h.append("</table><h2>Targets</h2><ul>");
    for (ChaosTargets.Target t : ChaosTargets.all(result.passes())) {
      h.append("<li class='").append(t.met() ? "met'>[met] " : "miss'>[MISS] ").append(esc(t.pass() + ": " + t.what()
          + " (" + t.measured() + ")")).append("</li>");
    }
    h.append("</ul><h2>Completions over time</h2><p>Requests completed (cumulative) against seconds since the pass "
        + "started. Dashed lines: red the fault, orange a replacement's start or the fault's second action, grey the "
        + "fault's last step done.</p>");
    for (PassFigures f : result.passes()) {
      h.append("<h3>").append(esc(f.name())).append("</h3><p>").append(esc(f.marks().note())).append("</p>");
      for (String e : f.errorSamples()) h.append("<p>client error: ").append(esc(e)).append("</p>");
      h.append(timeline(f));
    }
    h.append("</body></html>");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    return file;
  }

  /** Cumulative completed requests against seconds since the pass started; red: the fault, orange: later steps. */
  private static String timeline(PassFigures f) {
    int w = 760, hgt = 200, left = 50, top = 10, bottom = 25, plotW = w - left - 20, plotH = hgt - top - bottom;
    List<Double> t = f.completedAtS();
    double xMax = Math.max(1, f.durationS());
    int yMax = Math.max(1, t.size());
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
        + "height='%d' font-family='sans-serif' font-size='11'>", w, hgt));
    s.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='#94a3b8'/>", left, left + plotW,
        top + plotH, top + plotH));
    s.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>0 s</text><text x='%d' y='%d' text-anchor='end'>%.0f s</text>"
        + "<text x='%d' y='%d' text-anchor='end'>%d</text>", left, hgt - 6, left + plotW, hgt - 6, xMax, left - 4, top + 10, yMax));
    StringBuilder points = new StringBuilder(String.format(Locale.ROOT, "%d,%d ", left, top + plotH));
    for (int i = 0; i < t.size(); i++) {
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * t.get(i) / xMax,
          top + plotH - plotH * (i + 1.0) / yMax));
    }
    s.append("<polyline fill='none' stroke='#2563eb' stroke-width='2' points='").append(points.toString().trim()).append("'/>");
    mark(s, f, f.marks().faultAtMs(), "#dc2626", left, top, plotW, plotH, xMax);
    mark(s, f, f.marks().replacementAtMs(), "#f97316", left, top, plotW, plotH, xMax);
    mark(s, f, f.marks().secondActionAtMs(), "#f97316", left, top, plotW, plotH, xMax);
    mark(s, f, f.marks().doneAtMs(), "#a3a3a3", left, top, plotW, plotH, xMax);
    return s.append("</svg>").toString();
  }

  private static void mark(StringBuilder s, PassFigures f, long atMs, String colour, int left, int top, int plotW,
      int plotH, double xMax) {
    if (atMs < 0) return;
    double x = left + plotW * ((atMs - f.startedAtMs()) / 1000.0) / xMax;
    s.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' stroke='%s' stroke-dasharray='4 3'/>",
        x, x, top, top + plotH, colour));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }
}
