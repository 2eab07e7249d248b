package dev.sluice.bench.replay;

import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/** The side-by-side comparison of policies, as aligned text for the terminal or as Markdown. */
public final class ReplayTable {
  private static final String[] HEADER = {"policy", "ok", "failed", "prompt tok", "cached tok", "hit rate",
      "TTFT p50 ms", "TTFT p99 ms", "latency p50 ms", "latency p99 ms", "gen tok/s", "requests per worker"};

  private ReplayTable() {}

  public static String text(List<PolicyResult> results) {
    List<String[]> rows = rows(results);
    int[] width = new int[HEADER.length];
    for (String[] row : rows) for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        // Left-align names and the worker list, right-align numbers.
        String cell = i == 0 || i == row.length - 1 ? pad(row[i], width[i], false) : pad(row[i], width[i], true);
        out.append(cell).append(i == row.length - 1 ? "" : "  ");
      }
      out.append(System.lineSeparator());
    }
    return out.toString();
  }

  public static String markdown(List<PolicyResult> results, String scaleLine) {
    List<String[]> rows = rows(results);
    StringBuilder out = new StringBuilder("# sluice bench replay\n\n").append(scaleLine).append("\n\n");
    for (int r = 0; r < rows.size(); r++) {
      out.append("| ").append(String.join(" | ", rows.get(r))).append(" |\n");
      if (r == 0) out.append("|").append("---|".repeat(HEADER.length)).append("\n");
    }
    return out.toString();
  }

  private static List<String[]> rows(List<PolicyResult> results) {
    List<String[]> rows = new java.util.ArrayList<>();
    rows.add(HEADER);
    for (PolicyResult r : results) {
      rows.add(new String[] {r.policy(), Integer.toString(r.ok()), Integer.toString(r.failed()),
          Long.toString(r.promptTokens()), Long.toString(r.cachedPromptTokens()),
          String.format(Locale.ROOT, "%.1f%%", 100 * r.hitRate()), Long.toString(r.ttftP50Ms()),
          Long.toString(r.ttftP99Ms()), Long.toString(r.latencyP50Ms()), Long.toString(r.latencyP99Ms()),
          String.format(Locale.ROOT, "%.1f", r.generatedTokensPerSecond()), workers(r)});
    }
    return rows;
  }

  /** "w0=12 w1=8 ..." sorted by worker id, so columns line up between policies. */
  private static String workers(PolicyResult r) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(r.workerRequests()).forEach((id, n) -> s.append(s.length() == 0 ? "" : " ").append(id).append('=').append(n));
    return s.toString();
  }

  private static String pad(String s, int width, boolean right) {
    String spaces = " ".repeat(width - s.length());
    return right ? spaces + s : s + spaces;
  }
}
