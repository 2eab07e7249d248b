package dev.sluice.bench.pipeline;

import dev.sluice.bench.Medians;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;

/** The benchmark's figures against its targets, as text and as an HTML page with the stage timeline. */
final class PipelineReport {
  static final double TARGET_RATIO = 0.9;
  static final long TARGET_HOP_P99_MS = 20;

  private final PrintStream out;

  PipelineReport(PrintStream out) {
    this.out = out;
  }

  void print(PipelineBenchmark.Options o, PipelineBenchmark.Figures f, List<Double> inProcess, List<Double> pipeline,
      List<Double> ratios, StageTimeline t, Histogram raw) {
    out.printf("%nin-process tok/s per round: %s (median %.1f)%n", fmt(inProcess), Medians.of(inProcess));
    out.printf("pipeline   tok/s per round: %s (median %.1f)%n", fmt(pipeline), Medians.of(pipeline));
    out.printf("ratio per round: %s%n", fmt(ratios));
    out.printf("raw Kafka produce->consume (3 KB) while the pipeline ran: p50 %d ms, p99 %d ms (%d records)%n",
        raw.getValueAtPercentile(50), raw.getValueAtPercentile(99), raw.getTotalCount());
    for (int k = 0; k < t.stages; k++) {
      String name = k + 1 < t.stages ? "stage " + k + " -> stage " + (k + 1) : "stage " + k + " -> stage 0 (loop-back)";
      out.printf("hop %-32s p50 %d ms, p99 %d ms (%d steps)%n", name, t.hops[k].getValueAtPercentile(50),
          t.hops[k].getValueAtPercentile(99), t.hops[k].getTotalCount());
    }
    for (int k = 0; k + 1 < t.stages; k++) {
      out.printf("    first record of each stage-%d step at stage %d: p50 %d ms, p99 %d ms%n", k, k + 1,
          t.firstArrival[k].getValueAtPercentile(50), t.firstArrival[k].getValueAtPercentile(99));
    }
    StringBuilder busy = new StringBuilder();
    for (int k = 0; k < t.stages; k++) {
      busy.append(String.format("stage %d %.0f%%, ", k, 100 * t.busy(k)));
    }
    out.printf("busy during the pipeline rounds: %severy stage at once %.0f%%%n", busy, 100 * t.allBusy());
    for (int k = 0; k < t.stages; k++) {
      IdleBreakdown.Idle i = t.idle[k];
      String upstream = k == 0 ? "stage " + (t.stages - 1) + "'s loop-back" : "stage " + (k - 1);
      out.printf("    idle stage %d: %.0f%% of the rounds = waiting for %s's step %.0f%% + in Kafka %.0f%% + after"
          + " arrival %.0f%%%n", k, 100 * i.share(i.totalMs()), upstream, 100 * i.share(i.upstreamMs()),
          100 * i.share(i.inKafkaMs()), 100 * i.share(i.afterArrivalMs()));
    }
    long[] last = t.windows.get(t.windows.size() - 1);
    long mid = last[0] + (last[1] - last[0]) / 2;
    out.println("timeline, 400 ms from the middle of the last round (5 ms per character; digit = records in the step):");
    t.ascii(mid, 80, 5).forEach(out::println);
    double perTokenTarget = f.inProcessPerTokenMs() + 2 * (f.rawP50Ms() + 1);
    out.printf("single request, per token: pipeline %.1f ms, in-process %.1f ms%n", f.pipelinePerTokenMs(),
        f.inProcessPerTokenMs());
    if (!Double.isNaN(f.exactlyOnceRatio())) {
      out.printf("median ratio with --guarantee exactly-once: %.2f%n", f.exactlyOnceRatio());
    }
    out.println();
    out.println("targets:");
    check(String.format("median ratio pipeline/in-process %.2f >= %.2f", f.ratio(), TARGET_RATIO), f.ratio() >= TARGET_RATIO);
    check(String.format("every hop p50 %d ms <= raw Kafka p50 + 2 = %d ms", f.hopP50Ms(), f.rawP50Ms() + 2),
        f.hopP50Ms() <= f.rawP50Ms() + 2);
    check(String.format("every hop p99 %d ms <= %d ms", f.hopP99Ms(), TARGET_HOP_P99_MS), f.hopP99Ms() <= TARGET_HOP_P99_MS);
    check(String.format("single-request per-token %.1f ms <= in-process + 2 x (raw p50 + 1) = %.1f ms",
        f.pipelinePerTokenMs(), perTokenTarget), f.pipelinePerTokenMs() <= perTokenTarget);
  }

  private void check(String what, boolean met) {
    out.println("  [" + (met ? "met " : "MISS") + "] " + what);
  }

  void write(Path file, PipelineBenchmark.Options o, PipelineBenchmark.Figures f, List<Double> ratios, StageTimeline t)
      throws IOException {
    long[] last = t.windows.get(t.windows.size() - 1);
    long mid = last[0] + (last[1] - last[0]) / 2;
    String html = "<!doctype html><html><head><meta charset='utf-8'><title>Sluice pipeline benchmark</title></head>"
        + "<body style='font-family:sans-serif'><h1>Pipeline vs in-process</h1>"
        + String.format("<p>%d requests, %d + %d tokens, %d stages, %d threads in process. Median ratio <b>%.2f</b>"
            + " (rounds %s); hop p50 %d ms / p99 %d ms; raw Kafka p50 %d ms / p99 %d ms.</p>", o.requests(),
            o.promptTokens(), o.maxTokens(), o.stages(), o.threads(), f.ratio(), fmt(ratios), f.hopP50Ms(),
            f.hopP99Ms(), f.rawP50Ms(), f.rawP99Ms())
        + "<h2>Last round</h2>" + t.svg(last[0], last[1])
        + "<h2>500 ms from the middle</h2>" + t.svg(mid, mid + 500) + "</body></html>";
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, html);
    out.println("report: " + file.toAbsolutePath());
  }

  private static String fmt(List<Double> values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format("%.2f", v));
    }
    return sb.toString();
  }
}
