package dev.sluice.bench.pipeline;

import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * What each stage did when, read off the stamps that every step carries ({@code StageStamp}: read
 * from Kafka, step started, step ended), and the Kafka hops between stages.
 */
final class StageTimeline {
  /** One step of a stage: [startMs, endMs) with this many records. */
  record Span(int stage, long startMs, long endMs, int records) {}

  final int stages;
  final List<Span> spans;
  /** hops[k]: stage k sent → stage k+1 read; hops[stages-1]: the loop-back, last stage → stage 0. */
  final Histogram[] hops;

  /** firstArrival[k]: stage k sent → stage k+1 read, for the first record of each step to arrive. */
  Histogram[] firstArrival;

  /** The measured rounds' [from, to) windows: busy fractions count only those. */
  final List<long[]> windows;

  /** idle[k]: where stage k's idle time went in the measured rounds. */
  IdleBreakdown.Idle[] idle;

  private StageTimeline(int stages, List<Span> spans, Histogram[] hops, List<long[]> windows) {
    this.stages = stages;
    this.spans = spans;
    this.hops = hops;
    this.windows = windows;
  }

  /** From the DECODE records looped back to stage 0 (each holds one stamp per stage of its step). */
  static StageTimeline of(List<StageWork> loopBacks, int stages, List<long[]> windows) {
    Histogram[] hops = new Histogram[stages];
    for (int k = 0; k < stages; k++) {
      hops[k] = new Histogram(3_600_000L, 3);
    }
    Map<String, Integer> counts = new HashMap<>();
    Map<String, List<StageWork>> byRequest = LoopBacks.byRequest(loopBacks, stages);
    for (StageWork w : loopBacks) {
      List<StageStamp> s = w.getStamps();
      if (s.size() < stages) {
        continue;
      }
      for (int k = 0; k < stages; k++) {
        StageStamp st = s.get(k);
        counts.merge(st.getStage() + "/" + st.getWorkerId() + "/" + st.getStartedAtMs() + "/" + st.getSentAtMs(), 1,
            Integer::sum);
        if (k + 1 < stages) {
          hops[k].recordValue(Math.max(0, s.get(k + 1).getReceivedAtMs() - st.getSentAtMs()));
        }
      }
    }
    for (List<StageWork> steps : byRequest.values()) {
      for (int i = 0; i + 1 < steps.size(); i++) {
        long sent = steps.get(i).getStamps().get(stages - 1).getSentAtMs();
        hops[stages - 1].recordValue(Math.max(0, steps.get(i + 1).getStamps().get(0).getReceivedAtMs() - sent));
      }
    }
    Map<String, Long> firstRead = new HashMap<>();
    Map<String, Long> sentAt = new HashMap<>();
    for (StageWork w : loopBacks) {
      List<StageStamp> s = w.getStamps();
      for (int k = 0; s.size() >= stages && k + 1 < stages; k++) {
        String step = k + "/" + s.get(k).getWorkerId() + "/" + s.get(k).getStartedAtMs() + "/" + s.get(k).getSentAtMs();
        firstRead.merge(step, s.get(k + 1).getReceivedAtMs(), Math::min);
        sentAt.put(step, s.get(k).getSentAtMs());
      }
    }
    Histogram[] first = new Histogram[stages];
    for (int k = 0; k < stages; k++) {
      first[k] = new Histogram(3_600_000L, 3);
    }
    firstRead.forEach((step, t) -> first[Integer.parseInt(step.substring(0, step.indexOf('/')))]
        .recordValue(Math.max(0, t - sentAt.get(step))));
    List<Span> spans = new ArrayList<>();
    counts.forEach((key, n) -> {
      String[] f = key.split("/");
      spans.add(new Span(Integer.parseInt(f[0]), Long.parseLong(f[f.length - 2]), Long.parseLong(f[f.length - 1]), n));
    });
    spans.sort(Comparator.comparingLong(Span::startMs));
    StageTimeline t = new StageTimeline(stages, spans, hops, windows);
    t.firstArrival = first;
    t.idle = IdleBreakdown.of(byRequest, stages, windows);
    return t;
  }

  long firstMs() {
    return spans.stream().mapToLong(Span::startMs).min().orElse(0);
  }

  long lastMs() {
    return spans.stream().mapToLong(Span::endMs).max().orElse(0);
  }

  /** Fraction of the measured rounds that stage k spent computing. */
  double busy(int k) {
    return overWindows(Set.of(k), false);
  }

  /** Fraction of the measured rounds during which every stage was computing at once. */
  double allBusy() {
    Set<Integer> all = new LinkedHashSet<>();
    for (int k = 0; k < stages; k++) {
      all.add(k);
    }
    return overWindows(all, true);
  }

  private double overWindows(Set<Integer> ks, boolean everyStage) {
    long busy = 0;
    long total = 0;
    for (long[] w : windows) {
      busy += busyMillis(ks, w[0], w[1], everyStage);
      total += w[1] - w[0];
    }
    return busy / (double) Math.max(1, total);
  }

  private long busyMillis(Set<Integer> ks, long from, long to, boolean everyStage) {
    long n = 0;
    for (long t = from; t < to; t++) {
      int busyStages = 0;
      for (int k : ks) {
        if (busyAt(k, t)) {
          busyStages++;
        }
      }
      n += everyStage ? (busyStages == ks.size() ? 1 : 0) : (busyStages > 0 ? 1 : 0);
    }
    return n;
  }

  private boolean busyAt(int k, long t) {
    for (Span s : spans) {
      if (s.stage == k && s.startMs <= t && t < s.endMs) {
        return true;
      }
    }
    return false;
  }

  /** One text row per stage over [from, from + width × msPerChar): the step's record count, '.' idle. */
  List<String> ascii(long from, int width, int msPerChar) {
    List<String> rows = new ArrayList<>();
    for (int k = 0; k < stages; k++) {
      StringBuilder row = new StringBuilder("stage " + k + " |");
      for (int c = 0; c < width; c++) {
        long t = from + (long) c * msPerChar;
        char ch = '.';
        for (Span s : spans) {
          if (s.stage == k && s.startMs <= t && t < s.endMs) {
            ch = s.records < 10 ? (char) ('0' + s.records) : '+';
          }
        }
        row.append(ch);
      }
      rows.add(row.append('|').toString());
    }
    return rows;
  }

  /** An SVG of [from, to): one lane of boxes per stage, labelled with the step's record count. */
  String svg(long from, long to) {
    int width = 1000;
    int rowH = 28;
    double scale = width / (double) Math.max(1, to - from);
    StringBuilder sb = new StringBuilder("<svg xmlns='http://www.w3.org/2000/svg' width='" + (width + 80) + "' height='"
        + (stages * rowH + 30) + "' font-family='sans-serif' font-size='11'>");
    for (int k = 0; k < stages; k++) {
      sb.append("<text x='0' y='").append(k * rowH + 18).append("'>stage ").append(k).append("</text>");
    }
    for (Span s : spans) {
      if (s.endMs < from || s.startMs > to) {
        continue;
      }
      double x = 70 + (Math.max(s.startMs, from) - from) * scale;
      double w = Math.max(1, (Math.min(s.endMs, to) - Math.max(s.startMs, from)) * scale);
      sb.append(String.format("<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s' stroke='white'/>", x,
          s.stage * rowH + 4, w, rowH - 8, s.stage % 2 == 0 ? "#4c78a8" : "#f58518"));
      if (w > 14) {
        sb.append(String.format("<text x='%.1f' y='%d' fill='white'>%d</text>", x + 3, s.stage * rowH + 18, s.records));
      }
    }
    sb.append("<text x='70' y='").append(stages * rowH + 22).append("'>").append(to - from)
        .append(" ms; box = one step, number = records in it</text></svg>");
    return sb.toString();
  }
}
