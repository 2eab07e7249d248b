package dev.sluice.bench.policy;

import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The report's charts as inline SVG strings (no scripts, no external files), one row or cell per
 * policy. Kept to plain rectangles, lines and text so the page renders the same everywhere.
 */
final class SvgCharts {
  static final int WIDTH = 760;
  private static final int LABEL_WIDTH = 110;
  private static final int VALUE_WIDTH = 200;
  private static final int PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  private static final int ROW = 28;
  private static final int BAR = 16;
  private static final int TOP = 20;
  private static final int AXIS = 22;

  static final String HIT = "#2b6cb0";
  static final String CEILING = "#cbd5e0";
  static final String IMBALANCE = "#dd6b20";
  static final String LATENCY = "#6b46c1";
  static final String LANE = "#2f855a";

  private SvgCharts() {}

  /** Hit rate (dark) over the pooled-cache ceiling (pale) per policy, 0–100%. */
  static String hitRates(List<Report> reports) {
    Axis axis = Axis.linear(1.0, 0.2, v -> String.format(Locale.ROOT, "%.0f%%", 100 * v));
    Chart c = new Chart(reports.size(), axis);
    for (int i = 0; i < reports.size(); i++) {
      Report r = reports.get(i);
      c.label(i, r.policy());
      c.bar(i, r.pooledHitRate(), CEILING, BAR + 6, "pooled ceiling " + PolicyReport.percent(r.pooledHitRate()));
      c.bar(i, r.hitRate(), HIT, BAR - 4, "hit rate " + PolicyReport.percent(r.hitRate()));
      c.value(i, PolicyReport.percent(r.hitRate()) + " of " + PolicyReport.percent(r.pooledHitRate()) + " ("
          + String.format(Locale.ROOT, "%.0f%%", 100 * PolicyReport.ofCeiling(r)) + " of ceiling)");
    }
    return c.svg();
  }

  /** Busiest lane's service time over the mean lane's, per policy; 1 is perfectly even. */
  static String imbalance(List<Report> reports) {
    double max = reports.stream().mapToDouble(Report::busyMaxOverMean).max().orElse(1);
    Axis axis = Axis.linear(Math.max(2, Math.ceil(max)), max > 4 ? 1 : 0.5, v -> String.format(Locale.ROOT, "%.1f", v));
    Chart c = new Chart(reports.size(), axis);
    for (int i = 0; i < reports.size(); i++) {
      Report r = reports.get(i);
      c.label(i, r.policy());
      c.bar(i, r.busyMaxOverMean(), IMBALANCE, BAR, "busiest/mean " + fixed(r.busyMaxOverMean()));
      c.value(i, "busiest lane " + fixed(r.busyMaxOverMean()) + "× the mean");
    }
    c.reference(1.0, "even");
    return c.svg();
  }

  /** p99 latency bars with the mean as a tick; a log axis when the policies differ by orders of magnitude. */
  static String latency(List<Report> reports) {
    double max = reports.stream().mapToDouble(Report::p99LatencyMs).max().orElse(1);
    double min = reports.stream().mapToDouble(Report::meanLatencyMs).filter(v -> v > 0).min().orElse(1);
    Axis axis = max / min > 20 ? Axis.log(min, max, SvgCharts::roundMillis)
        : Axis.linear(niceCeiling(max), niceCeiling(max) / 5, SvgCharts::roundMillis);
    Chart c = new Chart(reports.size(), axis);
    for (int i = 0; i < reports.size(); i++) {
      Report r = reports.get(i);
      c.label(i, r.policy());
      c.bar(i, r.p99LatencyMs(), LATENCY, BAR, "p99 " + PolicyReport.millis(r.p99LatencyMs()));
      c.tick(i, r.meanLatencyMs(), "mean " + PolicyReport.millis(r.meanLatencyMs()));
      c.value(i, "p99 " + PolicyReport.millis(r.p99LatencyMs()) + " · mean " + PolicyReport.millis(r.meanLatencyMs()));
    }
    return c.svg();
  }

  /** One small bar chart per policy of requests per lane, all on the same scale, with the even share dashed. */
  static String lanes(List<Report> reports) {
    int perRow = 4;
    int cellWidth = WIDTH / perRow;
    int cellHeight = 130;
    int plotHeight = 80;
    int rows = (reports.size() + perRow - 1) / perRow;
    int max = reports.stream().mapToInt(PolicyReport::maxPerLane).max().orElse(1);
    StringBuilder s = open(WIDTH, rows * cellHeight);
    for (int i = 0; i < reports.size(); i++) {
      Report r = reports.get(i);
      int[] perLane = r.requestsPerLane();
      double x0 = (i % perRow) * cellWidth + 10;
      double y0 = (i / perRow) * cellHeight + 20;
      double plotWidth = cellWidth - 20;
      double barWidth = plotWidth / Math.max(1, perLane.length);
      text(s, x0, y0 - 6, r.policy(), "start", "bold");
      line(s, x0, y0 + plotHeight, x0 + plotWidth, y0 + plotHeight, "#718096", false);
      for (int lane = 0; lane < perLane.length; lane++) {
        double h = max == 0 ? 0 : plotHeight * (double) perLane[lane] / max;
        rect(s, x0 + lane * barWidth + barWidth * 0.1, y0 + plotHeight - h, barWidth * 0.8, h, LANE,
            "lane " + lane + ": " + perLane[lane] + " requests");
      }
      double even = Arrays.stream(perLane).average().orElse(0);
      double evenY = y0 + plotHeight - (max == 0 ? 0 : plotHeight * even / max);
      line(s, x0, evenY, x0 + plotWidth, evenY, "#1a202c", true);
      text(s, x0, y0 + plotHeight + 16, "min " + PolicyReport.minPerLane(r) + " · max " + PolicyReport.maxPerLane(r)
          + " · even " + Math.round(even), "start", "normal");
    }
    return s.append("</svg>").toString();
  }

  private static final String[] SERIES = {"#2b6cb0", "#dd6b20", "#2f855a", "#6b46c1", "#c53030", "#718096", "#b7791f", "#00a3c4"};

  /**
   * A line per policy of {@code metric} against offered load (x), with a legend; {@code format}
   * labels the y axis. The y axis starts at 0 and ends at a round value over the largest point.
   */
  static String sweep(LoadSweep sweep, java.util.function.ToDoubleFunction<Report> metric, DoubleFunction<String> format) {
    int width = WIDTH;
    int height = 260;
    double left = 70;
    double right = width - 150;
    double top = 16;
    double bottom = height - 30;
    List<String> policies = sweep.points().isEmpty() ? List.of()
        : sweep.points().get(0).report().reports().stream().map(Report::policy).toList();
    double maxX = sweep.points().stream().mapToDouble(LoadSweep.Point::load).max().orElse(1);
    double minX = sweep.points().stream().mapToDouble(LoadSweep.Point::load).min().orElse(0);
    if (maxX == minX) maxX = minX + 0.1;
    double maxY = 0;
    for (LoadSweep.Point p : sweep.points()) for (Report r : p.report().reports()) maxY = Math.max(maxY, metric.applyAsDouble(r));
    maxY = maxY <= 1 && maxY > 0 ? 1 : niceCeiling(maxY);
    StringBuilder s = open(width, height);
    for (int k = 0; k <= 5; k++) {
      double v = maxY * k / 5;
      double y = bottom - (bottom - top) * k / 5;
      line(s, left, y, right, y, "#e2e8f0", false);
      text(s, left - 6, y + 4, format.apply(v), "end", "normal");
    }
    for (LoadSweep.Point p : sweep.points()) {
      double x = left + (right - left) * (p.load() - minX) / (maxX - minX);
      text(s, x, bottom + 16, String.format(Locale.ROOT, "%.0f%%", 100 * p.load()), "middle", "normal");
    }
    for (int i = 0; i < policies.size(); i++) {
      String policy = policies.get(i);
      String colour = SERIES[i % SERIES.length];
      StringBuilder points = new StringBuilder();
      for (LoadSweep.Point p : sweep.points()) {
        Report r = p.report().reports().stream().filter(x -> x.policy().equals(policy)).findFirst().orElse(null);
        if (r == null) continue;
        double x = left + (right - left) * (p.load() - minX) / (maxX - minX);
        double y = bottom - (bottom - top) * (maxY == 0 ? 0 : metric.applyAsDouble(r) / maxY);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s at %.0f%%: %s</title></circle>%n",
            x, y, colour, PolicyReportPage.escape(policy), 100 * p.load(), PolicyReportPage.escape(format.apply(metric.applyAsDouble(r)))));
      }
      s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
          points.toString().trim(), colour, RoutingPolicies.DEFAULT.equals(policy) ? "3" : "1.5"));
      double ly = top + 14 + i * 18;
      line(s, right + 12, ly - 4, right + 32, ly - 4, colour, false);
      text(s, right + 38, ly, policy, "start", RoutingPolicies.DEFAULT.equals(policy) ? "bold" : "normal");
    }
    line(s, left, bottom, right, bottom, "#718096", false);
    text(s, (left + right) / 2, height - 2, "offered load without cache hits", "middle", "normal");
    return s.append("</svg>").toString();
  }

  /** A percentage axis label. */
  static String percentLabel(double v) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * v);
  }

  /** A latency axis label. */
  static String millisLabel(double ms) {
    return roundMillis(ms);
  }

  /** Axis labels: 0 ms, 500 ms, 2 s, 0.5 s steps shown as 2.5 s. */
  private static String roundMillis(double ms) {
    if (ms < 1_000) return String.format(Locale.ROOT, "%.0f ms", ms);
    double s = ms / 1000;
    return s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f s", s) : String.format(Locale.ROOT, "%.1f s", s);
  }

  private static String fixed(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** 1, 2 or 5 × a power of ten, at or above v. */
  static double niceCeiling(double v) {
    if (v <= 0) return 1;
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) if (m * p >= v) return m * p;
    return 10 * p;
  }

  /** Maps a value to [0, 1] of the plot width, with labelled grid lines. */
  private record Axis(double lo, double hi, boolean log, List<Double> ticks, DoubleFunction<String> format) {
    static Axis linear(double hi, double step, DoubleFunction<String> format) {
      List<Double> ticks = new ArrayList<>();
      for (int k = 0; k * step <= hi + 1e-9; k++) ticks.add(k * step);
      return new Axis(0, hi, false, ticks, format);
    }

    static Axis log(double min, double max, DoubleFunction<String> format) {
      double lo = Math.pow(10, Math.floor(Math.log10(min)));
      double hi = Math.pow(10, Math.ceil(Math.log10(max)));
      List<Double> ticks = new ArrayList<>();
      for (double t = lo; t <= hi * 1.0001; t *= 10) ticks.add(t);
      return new Axis(lo, hi, true, ticks, format);
    }

    double position(double v) {
      double p = log ? Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo) : (v - lo) / (hi - lo);
      return Math.max(0, Math.min(1, p));
    }
  }

  /** Horizontal bar rows: label | plot | value text, with the axis below. */
  private static final class Chart {
    private final Axis axis;
    private final int rows;
    private final StringBuilder body = new StringBuilder();

    Chart(int rows, Axis axis) {
      this.rows = rows;
      this.axis = axis;
    }

    private double x(double v) {
      return LABEL_WIDTH + PLOT_WIDTH * axis.position(v);
    }

    private double centre(int row) {
      return TOP + row * ROW + ROW / 2.0;
    }

    void label(int row, String policy) {
      text(body, LABEL_WIDTH - 8, centre(row) + 4, policy, "end",
          RoutingPolicies.DEFAULT.equals(policy) ? "bold" : "normal");
    }

    void bar(int row, double v, String colour, int height, String tooltip) {
      rect(body, LABEL_WIDTH, centre(row) - height / 2.0, x(v) - LABEL_WIDTH, height, colour, tooltip);
    }

    void tick(int row, double v, String tooltip) {
      body.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"%d\" fill=\"#1a202c\"><title>%s</title></rect>%n",
          x(v) - 1.5, centre(row) - BAR / 2.0 - 3, BAR + 6, PolicyReportPage.escape(tooltip)));
    }

    void value(int row, String text) {
      text(body, LABEL_WIDTH + PLOT_WIDTH + 8, centre(row) + 4, text, "start", "normal");
    }

    void reference(double v, String name) {
      double bottom = TOP + rows * ROW;
      line(body, x(v), TOP - 6, x(v), bottom, "#1a202c", true);
      text(body, x(v), TOP - 9, name, "middle", "normal");
    }

    String svg() {
      double bottom = TOP + rows * ROW;
      StringBuilder s = open(WIDTH, (int) bottom + AXIS);
      for (double t : axis.ticks()) {
        line(s, x(t), TOP - 4, x(t), bottom, "#e2e8f0", false);
        text(s, x(t), bottom + 15, axis.format().apply(t), "middle", "normal");
      }
      s.append(body);
      line(s, LABEL_WIDTH, TOP - 4, LABEL_WIDTH, bottom, "#718096", false);
      return s.append("</svg>").toString();
    }
  }

  private static StringBuilder open(int width, int height) {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
  }

  private static void rect(StringBuilder s, double x, double y, double w, double h, String fill, String tooltip) {
    s.append(String.format(Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s</title></rect>%n",
        x, y, Math.max(0, w), Math.max(0, h), fill, PolicyReportPage.escape(tooltip)));
  }

  private static void line(StringBuilder s, double x1, double y1, double x2, double y2, String stroke, boolean dashed) {
    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
        x1, y1, x2, y2, stroke, dashed ? " stroke-dasharray=\"4 3\"" : ""));
  }

  private static void text(StringBuilder s, double x, double y, String text, String anchor, String weight) {
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-weight=\"%s\">%s</text>%n",
        x, y, anchor, weight, PolicyReportPage.escape(text)));
  }
}
