package dev.sluice.bench.prefix;

import dev.sluice.bench.replay.ReplayBenchmark;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.results.client.SluiceClientSettings;
import dev.sluice.schemas.InferenceRequest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Runs one {@link PrefixWorkload} under one policy on a fresh one-machine pipeline (its own broker,
 * empty caches and routing index): warm-up requests with unrelated prompts, then the workload closed
 * loop at a concurrency or open loop at a rate, collected into a {@link PrefixResult}.
 */
public final class PrefixBenchmark {
  private static final String PREFIX = "sluice";

  /**
   * @param rate requests per second for an open loop; null = closed loop at {@code concurrency}
   * @param warmup unmeasured requests before the workload
   */
  public record Settings(int stages, int workersPerStage, int lanes, int maxTokens, int concurrency, Double rate,
      int warmup, int timeoutSeconds) {}

  private final Settings settings;
  private final PrintWriter out;

  public PrefixBenchmark(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
  }

  public PrefixResult run(String policy, PrefixWorkload workload, double ceiling, Path modelDir) throws Exception {
    Path dir = Files.createTempDirectory("sluice-prefix-" + policy);
    PrefixStats stats = new PrefixStats();
    try {
      PipelineSpec ps = new PipelineSpec(0, settings.stages(), settings.workersPerStage(), settings.lanes(), modelDir, policy, null, 0, dir, PREFIX);
      long t0 = System.nanoTime();
      try (LocalPipeline pipeline = LocalPipeline.start(ps, line -> {}, Duration.ofMinutes(3));
           SluiceClient client = new SluiceClient(SluiceClientSettings.of(pipeline.bootstrapServers(), PREFIX)
               .withGroupId(PREFIX + ".bench-prefix").withTimeout(Duration.ofSeconds(settings.timeoutSeconds())))) {
        if (!client.awaitReady(Duration.ofSeconds(60))) throw new IllegalStateException("the results client got no reply partition in 60 s");
        warmUp(client, workload, policy);
        Map<String, Long> before = ReplayBenchmark.requestsPerWorker(pipeline);
        out.printf(Locale.ROOT, "  %s / %s: pipeline ready in %.0f s, sending %d requests%n", workload.name(), policy,
            (System.nanoTime() - t0) / 1e9, workload.prompts().size());
        out.flush();
        send(client, workload, policy, stats);
        Map<String, Long> served = ReplayBenchmark.requestsPerWorker(pipeline);
        served.replaceAll((worker, n) -> n - before.getOrDefault(worker, 0L));
        PrefixResult r = stats.result(policy, workload.name(), ceiling, served);
        out.printf(Locale.ROOT, "  %s / %s: TTFT p50 %.0f ms, p99 %.0f ms, cached %.1f%% (%.2f of ceiling), %d rejected%n",
            workload.name(), policy, r.ttft(50), r.ttft(99), 100 * r.cachedShare(), r.ofCeiling(), r.rejected());
        out.flush();
        return r;
      }
    } finally {
      ReplayBenchmark.deleteQuietly(dir);
    }
  }

  /** Closed loop (a permit per request in flight) or open loop (evenly spaced); returns once all have ended. */
  private void send(SluiceClient client, PrefixWorkload workload, String policy, PrefixStats stats) throws InterruptedException {
    Double rate = settings.rate();
    Semaphore permits = new Semaphore(rate == null ? settings.concurrency() : Integer.MAX_VALUE);
    List<CompletableFuture<?>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < workload.prompts().size(); i++) {
      if (rate != null) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      permits.acquire();
      InferenceRequest request = request(workload.name() + "-" + policy + "-" + i, workload.prompts().get(i));
      stats.submitted(request.getCreatedAtMs());
      all.add(client.submit(request).whenComplete((c, error) -> {
        if (error != null || c.isError()) stats.rejected();
        else stats.completed(c.promptTokens(), c.cachedPromptTokens(), c.completionTokens(), c.timeToFirstTokenMs(),
            c.latencyMs(), c.doneAtMs());
        permits.release();
      }));
    }
    for (CompletableFuture<?> f : all) {
      try {
        f.join();
      } catch (RuntimeException e) {
        // counted as rejected in whenComplete
      }
    }
  }

  /** Unrelated prompts of the workload's size, all at once, not counted: the JVM and the stages warm up. */
  private void warmUp(SluiceClient client, PrefixWorkload workload, String policy) {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    int length = workload.prompts().get(0).length;
    for (int i = 0; i < settings.warmup(); i++) {
      int[] tokens = new int[length];
      for (int t = 0; t < length; t++) tokens[t] = 3 + Math.floorMod(i * 7919 + t * 104_729 + 17, 200);
      pending.add(client.submit(request("warmup-" + policy + "-" + i, tokens)));
    }
    for (CompletableFuture<?> f : pending) {
      try {
        f.join();
      } catch (RuntimeException e) {
        // a failed warm-up request changes nothing measured
      }
    }
  }

  private InferenceRequest request(String id, int[] tokens) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setPromptTokens(Arrays.stream(tokens).boxed().toList())
        .setMaxTokens(settings.maxTokens())
        .setTemperature(0f)
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
  }

}
