package dev.sluice.bench.soak;

import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.results.Completion;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.results.client.SluiceClientSettings;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.metrics.WorkerMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The one-machine pipeline kept saturated for a long time — a closed loop of {@code concurrency}
 * greedy requests through Kafka, a quarter of them opening with one of 8 shared prefixes (so the block
 * cache fills and evicts) — sampling the process's memory (RSS, heap, native), the workers' queues and
 * the latency of what finished, every {@code sampleEvery}. A leak shows as RSS that keeps growing after
 * the warm-up; the target is RSS at the end within {@value #TARGET_GROWTH_PERCENT}% of RSS at the end
 * of the first third of the run.
 */
public final class SoakBenchmark {
  static final double TARGET_GROWTH_PERCENT = 5;
  private static final String NAMESPACE = "sluice";
  private static final int SHARED_PREFIXES = 8;

  /** @param stages 0 = the pipeline's default */
  public record Settings(Duration duration, Duration sampleEvery, int concurrency, int promptTokens, int maxTokens,
      int stages, int workersPerStage, int lanes, Duration warmup) {}

  /** What the run measured: every sample, and RSS growth over the last two thirds. */
  public record Result(List<SoakSample> samples, double rssGrowthPercent, long completed, long failed) {
    public boolean flat() {
      return rssGrowthPercent <= TARGET_GROWTH_PERCENT;
    }
  }

  private final Settings settings;
  private final PrintStream out;
  private final Recorder latencies = new Recorder(3);
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong tokens = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
  private volatile boolean running = true;

  public SoakBenchmark(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public Result run(Path modelDir, int vocabSize) throws Exception {
    Path dir = Files.createTempDirectory("sluice-soak");
    try {
      PipelineSpec spec = new PipelineSpec(0, settings.stages(), settings.workersPerStage(), settings.lanes(), modelDir,
          "cache_aware", null, 0, dir, NAMESPACE);
      out.printf("starting the pipeline (%d stages x %d workers, %d lanes) ...%n", settings.stages(),
          settings.workersPerStage(), settings.lanes());
      try (LocalPipeline pipeline = LocalPipeline.start(spec, line -> {}, Duration.ofMinutes(3));
          SluiceClient client = new SluiceClient(SluiceClientSettings.of(pipeline.bootstrapServers(), NAMESPACE)
              .withGroupId(NAMESPACE + ".bench-soak").withTimeout(Duration.ofMinutes(5)))) {
        if (!client.awaitReady(Duration.ofSeconds(60))) {
          throw new IllegalStateException("the results client got no reply partition in 60 s");
        }
        Prompts prompts = new Prompts(vocabSize, settings.promptTokens());
        for (int i = 0; i < settings.concurrency(); i++) {
          submitNext(client, prompts);
        }
        out.printf("closed loop of %d requests (%d prompt + %d new tokens); warming up for %d s, then sampling every "
            + "%d s for %d min%n", settings.concurrency(), settings.promptTokens(), settings.maxTokens(),
            settings.warmup().toSeconds(), settings.sampleEvery().toSeconds(), settings.duration().toMinutes());
        Thread.sleep(settings.warmup().toMillis());
        return sample(pipeline);
      } finally {
        running = false;
      }
    } finally {
      deleteQuietly(dir);
    }
  }

  private Result sample(LocalPipeline pipeline) throws InterruptedException {
    List<SoakSample> samples = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + settings.duration().toNanos();
    latencies.getIntervalHistogram(); // drop the warm-up's
    long lastCompleted = completed.get();
    long lastFailed = failed.get();
    long lastTokens = tokens.get();
    long lastAt = start;
    while (System.nanoTime() < end) {
      Thread.sleep(settings.sampleEvery().toMillis());
      long now = System.nanoTime();
      Histogram h = latencies.getIntervalHistogram();
      long c = completed.get();
      long f = failed.get();
      long t = tokens.get();
      SoakSample s = new SoakSample((now - start) / 1e9, ProcessMemory.now(), gauge(pipeline, true),
          gauge(pipeline, false), c - lastCompleted, f - lastFailed, h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50),
          h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99), (t - lastTokens) / ((now - lastAt) / 1e9));
      samples.add(s);
      out.printf("%6.0f s  RSS %5d MiB (heap %4d/%4d MiB, native %5d MiB of which block-cache files %4d)  queued %3d  "
          + "active %3d  done %4d  failed %d  p50 %5d ms  p99 %5d ms  %.1f tok/s%n", s.atSeconds(), mib(s.memory().rssBytes()),
          mib(s.memory().heapUsedBytes()), mib(s.memory().heapCommittedBytes()), mib(s.memory().nativeBytes()),
          mib(s.memory().blockCacheFileBytes()),
          s.queueDepth(), s.activeSequences(), s.completed(), s.failed(), s.latencyP50Ms(), s.latencyP99Ms(),
          s.tokensPerSecond());
      lastCompleted = c;
      lastFailed = f;
      lastTokens = t;
      lastAt = now;
    }
    return new Result(samples, growthPercent(samples), samples.stream().mapToLong(SoakSample::completed).sum(),
        samples.stream().mapToLong(SoakSample::failed).sum());
  }

  /** RSS at the end against RSS at the end of the first third, in percent; 0 without RSS. */
  static double growthPercent(List<SoakSample> samples) {
    if (samples.size() < 3 || samples.get(0).memory().rssBytes() < 0) {
      return 0;
    }
    long third = samples.get(samples.size() / 3).memory().rssBytes();
    long last = samples.get(samples.size() - 1).memory().rssBytes();
    return 100.0 * (last - third) / third;
  }

  private void submitNext(SluiceClient client, Prompts prompts) {
    if (!running) return;
    long n = sequence.incrementAndGet();
    InferenceRequest request = InferenceRequest.newBuilder()
        .setRequestId("soak-" + n)
        .setPromptTokens(prompts.next(n))
        .setMaxTokens(settings.maxTokens())
        .setTemperature(0f)
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
    client.submit(request).whenComplete((Completion c, Throwable error) -> {
      if (error != null || c.isError()) {
        failed.incrementAndGet();
      } else {
        completed.incrementAndGet();
        tokens.addAndGet(c.completionTokens());
        latencies.recordValue(Math.max(0, c.latencyMs()));
      }
      submitNext(client, prompts);
    });
  }

  /** Queued records (or active sequences) over every worker, from their heartbeat gauges. */
  private static long gauge(LocalPipeline pipeline, boolean queue) {
    WorkerMetrics metrics = WorkerMetrics.in(PrometheusRegistry.defaultRegistry);
    long sum = 0;
    for (StageWorker w : pipeline.workers()) {
      String stage = String.valueOf(w.settings().stage());
      sum += (long) (queue ? metrics.queueDepth : metrics.activeSequences).labelValues(w.workerId(), stage).get();
    }
    return sum;
  }

  private static long mib(long bytes) {
    return bytes < 0 ? -1 : bytes / (1024 * 1024);
  }

  /** Seeded prompts: a quarter open with one of a few shared prefixes (half the prompt), the rest are unique. */
  private record Prompts(int vocab, int length) {
    List<Integer> next(long n) {
      List<Integer> ids = new ArrayList<>(length);
      Random shared = new Random(n % SHARED_PREFIXES);
      Random own = new Random(1_000_003L * n);
      boolean sharing = n % 4 == 0;
      for (int i = 0; i < length; i++) {
        Random r = sharing && i < length / 2 ? shared : own;
        ids.add(1 + r.nextInt(vocab - 1));
      }
      return ids;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
