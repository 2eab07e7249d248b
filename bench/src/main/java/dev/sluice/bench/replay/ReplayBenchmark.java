package dev.sluice.bench.replay;

import dev.sluice.bench.JvmWarmUp;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.worker.StageWorker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * A scaled trace ({@link ScaledTrace}) replayed open-loop through a real one-machine pipeline (broker,
 * router, workers; {@link LocalPipeline}) once per routing policy, each on a fresh pipeline and empty
 * caches so that no policy inherits another's; greedy, so every policy gets the same tokens.
 */
public final class ReplayBenchmark {
  private static final String NAMESPACE = ReplayPipeline.NAMESPACE;

  /**
   * @param timeoutSeconds how long to wait for every completion of one policy
   * @param warmup unmeasured requests (no prefix shared with the trace) run first on each fresh pipeline
   * @param jvmWarmupRounds most rounds of those on a throwaway pipeline before the first policy, until the
   *     JIT compiler settles ({@link JvmWarmUp}); 0 = none
   */
  public record Settings(int stages, int workersPerStage, int lanes, int timeoutSeconds, int warmup, int jvmWarmupRounds) {}

  private final Settings settings;
  private final PrintWriter out;

  public ReplayBenchmark(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
  }

  /** One result per policy, in order; progress lines as it goes. */
  public List<PolicyResult> run(Path modelDir, ScaledTrace scaled, List<String> policies) throws Exception {
    List<PolicyResult> results = new ArrayList<>();
    warmUpJvm(policies.get(0), modelDir, scaled);
    for (int i = 0; i < policies.size(); i++) {
      String policy = policies.get(i);
      print("[%d/%d] %s: starting a fresh pipeline ...%n", i + 1, policies.size(), policy);
      PolicyResult r = replay(policy, modelDir, scaled);
      results.add(r);
      print("[%d/%d] %s: ok %d, failed %d, hit rate %.1f%%, TTFT p50 %d ms, latency p99 %d ms, %.1f gen tok/s%n",
          i + 1, policies.size(), policy, r.ok(), r.failed(), 100 * r.hitRate(), r.ttftP50Ms(), r.latencyP99Ms(),
          r.generatedTokensPerSecond());
    }
    return results;
  }

  private PolicyResult replay(String policy, Path modelDir, ScaledTrace scaled) throws Exception {
    Path dir = Files.createTempDirectory("sluice-replay-" + policy);
    ReplayStats stats = new ReplayStats(policy);
    int total = scaled.requests().size();
    try {
      try (ReplayPipeline replay = ReplayPipeline.start(settings, policy, modelDir, dir)) {
        LocalPipeline pipeline = replay.pipeline();
        SluiceClient client = replay.client();
        warmUp(client, policy, scaled.scale());
        Map<String, Long> servedBefore = requestsPerWorker(pipeline); // warm-up requests are not reported
        print("  pipeline ready; submitting %d requests open-loop over %.1f s%n", total, scaled.durationMs() / 1000.0);
        submitOpenLoop(policy, scaled, client, stats);
        long deadline = System.nanoTime() + Duration.ofSeconds(settings.timeoutSeconds()).toNanos();
        while (stats.finished() < total && System.nanoTime() < deadline) {
          Thread.sleep(2_000);
          print("  %s: %d/%d finished%n", policy, stats.finished(), total);
        }
        for (int missing = total - stats.finished(); missing > 0; missing--) stats.failed();
        Map<String, Long> served = requestsPerWorker(pipeline);
        served.replaceAll((worker, n) -> n - servedBefore.getOrDefault(worker, 0L));
        return stats.result(served);
      }
    } finally {
      deleteQuietly(dir);
    }
  }

  /** Rounds of the warm-up requests on a throwaway pipeline until the JVM's compiler settles. */
  private void warmUpJvm(String policy, Path modelDir, ScaledTrace scaled) throws Exception {
    if (settings.jvmWarmupRounds() <= 0 || settings.warmup() <= 0) return;
    Path dir = Files.createTempDirectory("sluice-replay-warmup");
    try (ReplayPipeline replay = ReplayPipeline.start(settings, policy, modelDir, dir)) {
      JvmWarmUp.untilCompilerSettles(i -> warmUp(replay.client(), "jvm" + i, scaled.scale()), 1,
          settings.jvmWarmupRounds(), out);
    } finally {
      deleteQuietly(dir);
    }
  }

  /** Sends the warm-up requests at once and waits for them; their outcome is not counted. */
  private void warmUp(SluiceClient client, String policy, ReplayScale scale) throws InterruptedException {
    if (settings.warmup() <= 0) return;
    List<CompletableFuture<?>> pending = new ArrayList<>();
    long start = System.currentTimeMillis();
    for (ScaledRequest r : ScaledTrace.warmup(settings.warmup(), scale)) {
      pending.add(client.submit(request(policy + "-" + r.id() + "-" + start, r)));
    }
    int failed = 0;
    for (var f : pending) {
      try {
        f.get();
      } catch (ExecutionException e) {
        failed++;
      }
    }
    print("  warm-up: %d requests in %.1f s%s%n", settings.warmup(), (System.currentTimeMillis() - start) / 1000.0,
        failed == 0 ? "" : " (" + failed + " failed)");
  }

  private static InferenceRequest request(String requestId, ScaledRequest r) {
    return InferenceRequest.newBuilder()
        .setRequestId(requestId)
        .setPromptTokens(Arrays.stream(r.promptTokens()).boxed().toList())
        .setMaxTokens(r.maxTokens())
        .setTemperature(0f) // greedy: the same prompt gives the same tokens under every policy
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
  }

  private void submitOpenLoop(String policy, ScaledTrace scaled, SluiceClient client, ReplayStats stats)
      throws InterruptedException {
    long start = System.currentTimeMillis();
    int submitted = 0;
    for (ScaledRequest r : scaled.requests()) {
      long wait = start + r.arrivalMs() - System.currentTimeMillis();
      if (wait > 0) Thread.sleep(wait);
      InferenceRequest request = request(policy + "-" + r.id() + "-" + start, r);
      stats.submitted(request.getCreatedAtMs());
      client.submit(request).whenComplete((c, error) -> {
        if (error != null || c.isError()) {
          stats.failed();
        } else {
          stats.completed(c.promptTokens(), c.cachedPromptTokens(), c.completionTokens(), c.timeToFirstTokenMs(),
              c.latencyMs(), c.doneAtMs());
        }
      });
      if (++submitted % 50 == 0) {
        print("  %s: submitted %d/%d, %d finished%n", policy, submitted, scaled.requests().size(), stats.finished());
      }
    }
  }

  /** Requests served per worker, named s<stage>w<index> to keep the table narrow. */
  public static Map<String, Long> requestsPerWorker(LocalPipeline pipeline) {
    Map<String, Long> served = new LinkedHashMap<>();
    for (StageWorker worker : pipeline.workers()) {
      String id = worker.workerId().replace(NAMESPACE + "-stage", "s").replace("-w", "w");
      served.put(id, worker.requestsServed());
    }
    return served;
  }

  private void print(String format, Object... args) {
    out.printf(format, args);
    out.flush();
  }

  public static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
