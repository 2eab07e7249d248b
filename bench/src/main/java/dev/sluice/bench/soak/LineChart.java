package dev.sluice.bench.soak;

import java.util.List;
import java.util.Locale;

/** An inline SVG chart of a few series over the same x axis (seconds), with a legend and y-axis labels. */
final class LineChart {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 240;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 30;

  /** One line: its name, colour and y values (one per x). */
  record Series(String name, String colour, double[] y) {}

  private LineChart() {}

  static String svg(String title, String unit, double[] x, List<Series> series) {
    double xMax = x.length == 0 ? 1 : Math.max(1, x[x.length - 1]);
    double yMax = 1;
    for (Series s : series) for (double v : s.y()) yMax = Math.max(yMax, v);
    yMax = nice(yMax);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
        + "font-family='sans-serif' font-size='11'>", WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<text x='%d' y='16' font-size='13' font-weight='bold'>%s</text>", LEFT, esc(title)));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      int y = TOP + plotH - plotH * i / 4;
      svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='#e2e8f0'/>", LEFT, LEFT + plotW, y, y));
      svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='end'>%s %s</text>", LEFT - 6, y + 4,
          v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v), esc(unit)));
    }
    svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='end'>%.0f s</text>", LEFT + plotW, HEIGHT - 8, xMax));
    svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>0 s</text>", LEFT, HEIGHT - 8));
    int legendX = LEFT + 200;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < x.length && i < s.y().length; i++) {
        double px = LEFT + plotW * x[i] / xMax;
        double py = TOP + plotH - plotH * Math.max(0, s.y()[i]) / yMax;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>",
          s.colour(), points.toString().trim()));
      svg.append(String.format(Locale.ROOT, "<rect x='%d' y='8' width='10' height='10' fill='%s'/>"
          + "<text x='%d' y='17'>%s</text>", legendX, s.colour(), legendX + 14, esc(s.name())));
      legendX += 14 + 7 * s.name().length() + 16;
    }
    return svg.append("</svg>").toString();
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  static double nice(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) return m * p;
    }
    return 10 * p;
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#39;");
  }
}
