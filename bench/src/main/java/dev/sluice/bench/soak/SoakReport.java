package dev.sluice.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A soak run's summary against its target, and the HTML page with memory, queues and latency over time. */
public final class SoakReport {
  private SoakReport() {}

  public static void print(SoakBenchmark.Result r, PrintStream out) {
    List<SoakSample> s = r.samples();
    if (s.isEmpty()) {
      out.println("no samples");
      return;
    }
    SoakSample first = s.get(0);
    SoakSample third = s.get(s.size() / 3);
    SoakSample last = s.get(s.size() - 1);
    out.printf(Locale.ROOT, "%nrequests: %d completed, %d failed in %.0f s%n", r.completed(), r.failed(), last.atSeconds());
    out.printf(Locale.ROOT, "RSS: %d MiB at %.0f s, %d MiB at %.0f s (a third in), %d MiB at the end; native %d -> %d MiB, "
        + "heap used %d -> %d MiB%n", mib(first.memory().rssBytes()), first.atSeconds(), mib(third.memory().rssBytes()),
        third.atSeconds(), mib(last.memory().rssBytes()), mib(third.memory().nativeBytes()),
        mib(last.memory().nativeBytes()), mib(third.memory().heapUsedBytes()), mib(last.memory().heapUsedBytes()));
    out.printf(Locale.ROOT, "  of which block-cache file pages %d -> %d MiB (they fill up to the workers' kv_cache_mb by "
        + "design); RSS without them %d -> %d MiB (%+.1f%%)%n", mib(third.memory().blockCacheFileBytes()),
        mib(last.memory().blockCacheFileBytes()), mib(withoutCacheFiles(third)), mib(withoutCacheFiles(last)),
        100.0 * (withoutCacheFiles(last) - withoutCacheFiles(third)) / Math.max(1, withoutCacheFiles(third)));
    java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    if (heap.getInit() < heap.getMax()) {
      out.printf(Locale.ROOT, "note: the heap is not pinned (initial %d MiB, max %d MiB), so RSS also grows while the JVM "
          + "commits more heap; pin it for a verdict on leaks: SLUICE_JAVA_OPTS='-Xms2g -Xmx2g -XX:+AlwaysPreTouch'%n",
          mib(heap.getInit()), mib(heap.getMax()));
    }
    out.println("targets:");
    out.printf(Locale.ROOT, "  [%s] RSS growth over the last two thirds %.1f%% <= %.0f%%%n", r.flat() ? "ok" : "MISS",
        r.rssGrowthPercent(), SoakBenchmark.TARGET_GROWTH_PERCENT);
    out.printf(Locale.ROOT, "  [%s] every request completed: %d failed%n", r.failed() == 0 ? "ok" : "MISS", r.failed());
  }

  public static Path writeHtml(SoakBenchmark.Result r, Path file) throws IOException {
    List<SoakSample> s = r.samples();
    double[] x = s.stream().mapToDouble(SoakSample::atSeconds).toArray();
    String memory = LineChart.svg("Memory of the pipeline's JVM", "MiB", x, List.of(
        new LineChart.Series("RSS", "#2b6cb0", values(s, v -> mib(v.memory().rssBytes()))),
        new LineChart.Series("native (RSS - heap committed)", "#dd6b20", values(s, v -> mib(v.memory().nativeBytes()))),
        new LineChart.Series("block-cache file pages", "#805ad5", values(s, v -> mib(v.memory().blockCacheFileBytes()))),
        new LineChart.Series("heap used", "#2f855a", values(s, v -> mib(v.memory().heapUsedBytes())))));
    String queues = LineChart.svg("Queues", "", x, List.of(
        new LineChart.Series("records queued at workers", "#6b46c1", values(s, SoakSample::queueDepth)),
        new LineChart.Series("active sequences", "#718096", values(s, SoakSample::activeSequences))));
    String latency = LineChart.svg("Latency of the requests finished in each interval", "ms", x, List.of(
        new LineChart.Series("p50", "#2b6cb0", values(s, SoakSample::latencyP50Ms)),
        new LineChart.Series("p99", "#c53030", values(s, SoakSample::latencyP99Ms))));
    String throughput = LineChart.svg("Generated tokens per second", "tok/s", x, List.of(
        new LineChart.Series("tokens/s", "#2f855a", values(s, SoakSample::tokensPerSecond))));
    String html = "<!doctype html><html><head><meta charset='utf-8'><title>Sluice soak</title></head>"
        + "<body style='font-family:sans-serif;max-width:800px;margin:2em auto'><h1>Sluice soak run</h1>"
        + String.format(Locale.ROOT, "<p>%d requests completed, %d failed; RSS growth over the last two thirds "
            + "<b>%.1f%%</b> (target &le; %.0f%%: %s).</p>", r.completed(), r.failed(), r.rssGrowthPercent(),
            SoakBenchmark.TARGET_GROWTH_PERCENT, r.flat() ? "flat" : "growing")
        + memory + "<br>" + queues + "<br>" + latency + "<br>" + throughput + "</body></html>";
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, html);
    return file;
  }

  private static long withoutCacheFiles(SoakSample s) {
    return s.memory().rssBytes() - Math.max(0, s.memory().blockCacheFileBytes());
  }

  private static double[] values(List<SoakSample> s, ToDoubleFunction<SoakSample> f) {
    return s.stream().mapToDouble(f).toArray();
  }

  private static long mib(long bytes) {
    return bytes < 0 ? -1 : bytes / (1024 * 1024);
  }
}
