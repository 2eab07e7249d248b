package dev.sluice.cli;

import dev.sluice.bench.replay.PolicyResult;
import dev.sluice.bench.replay.ReplayScale;
import dev.sluice.bench.replay.ReplayStats;
import dev.sluice.bench.replay.ReplayTable;
import dev.sluice.bench.replay.ScaledRequest;
import dev.sluice.bench.replay.ScaledTrace;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.model.ModelConfig;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.results.client.SluiceClientSettings;
import dev.sluice.router.policy.RoutingPolicies;
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
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench replay}: the Mooncake trace, scaled to synthetic token prompts
 * ({@link ScaledTrace}), replayed open-loop through a real in-process pipeline (broker, router,
 * workers) once per routing policy, each on a fresh pipeline so no policy inherits another's cache.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replays the Mooncake trace through the real pipeline once per routing policy and compares "
        + "cache hit rate, TTFT, latency and tokens/s side by side.",
        "Every hash id becomes a fixed block of synthetic tokens, so shared trace prefixes are shared prompt prefixes."})
public final class BenchReplayCommand implements Callable<Integer> {
  private static final String PREFIX = "sluice";

  @Spec CommandSpec spec;

  @Option(names = "--trace", description = "Mooncake-format JSONL trace (default: ../shared/" + BenchPoliciesCommand.SHARED_TRACE + ").")
  Path trace;

  @Option(names = "--model", description = "Model directory or hub id ORG/NAME[@REVISION] (default: the embedded models/stories260K).")
  String model;

  @Option(names = "--policies", split = ",", defaultValue = "cache_aware,round_robin,prefix_hash",
      description = "Routing policies to compare, in order (default: ${DEFAULT-VALUE}).")
  List<String> policies;

  @Option(names = "--requests", defaultValue = "200", description = "Requests from the start of the trace (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--block-tokens", defaultValue = "16", description = "Synthetic tokens per trace hash block (default: ${DEFAULT-VALUE}).")
  int blockTokens;

  @Option(names = "--max-blocks", defaultValue = "20", description = "Leading hash blocks kept per prompt (default: ${DEFAULT-VALUE}).")
  int maxBlocks;

  @Option(names = "--max-tokens", defaultValue = "16", description = "Cap on output tokens per request (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--time-scale", defaultValue = "0.05", description = "Arrival times are multiplied by this (default: ${DEFAULT-VALUE}, 20x faster).")
  double timeScale;

  @Option(names = "--stages", defaultValue = "2", description = "Pipeline stages (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = "--workers-per-stage", defaultValue = "2", description = "Workers per stage (default: ${DEFAULT-VALUE}).")
  int workersPerStage;

  @Option(names = "--lanes", defaultValue = "8", description = "Partitions of every stage topic (default: ${DEFAULT-VALUE}).")
  int lanes;

  @Option(names = "--timeout-s", defaultValue = "300", description = "How long to wait for all completions of one policy (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--warmup", defaultValue = "64",
      description = "Unmeasured requests (no prefix shared with the trace) run on each fresh pipeline first, so the "
          + "first policy does not pay the JVM's warm-up (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--out", description = "Also write the comparison as Markdown to this file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    for (String policy : policies) {
      if (!RoutingPolicies.NAMES.contains(policy)) {
        throw new ParameterException(spec.commandLine(), "--policies: unknown routing policy '" + policy + "'; known: "
            + String.join(", ", RoutingPolicies.NAMES));
      }
    }
    Path modelDir = model != null ? ModelReferences.resolve(model, line -> { w.println(line); w.flush(); }) : ModelLocator.embeddedModel();
    if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
      throw new ParameterException(spec.commandLine(), "--model " + modelDir + " has no config.json");
    }
    ModelConfig config = ModelConfig.read(modelDir);
    ReplayScale scale;
    try {
      scale = new ReplayScale(requests, blockTokens, maxBlocks, maxTokens, timeScale, config.vocabSize(), config.bosTokenId());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (scale.maxSequenceTokens() > config.maxPositions()) {
      throw new ParameterException(spec.commandLine(), "--max-blocks x --block-tokens + --max-tokens = "
          + scale.maxSequenceTokens() + " exceeds the model's context of " + config.maxPositions() + " tokens");
    }
    ScaledTrace scaled = ScaledTrace.read(traceFile(), scale);
    w.printf("trace %s: %d requests, %,d prompt tokens, arrivals over %.1f s%n", traceFile().getFileName(),
        scaled.requests().size(), scaled.promptTokens(), scaled.durationMs() / 1000.0);
    w.println(scale.describe());
    w.printf("pipeline: %d stages x %d workers, %d lanes, model %s%n", stages, workersPerStage, lanes, modelDir);
    w.flush();

    List<PolicyResult> results = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      String policy = policies.get(i);
      w.printf("[%d/%d] %s: starting a fresh pipeline ...%n", i + 1, policies.size(), policy);
      w.flush();
      PolicyResult r = replay(policy, modelDir, scaled, w);
      results.add(r);
      w.printf("[%d/%d] %s: ok %d, failed %d, hit rate %.1f%%, TTFT p50 %d ms, latency p99 %d ms, %.1f gen tok/s%n",
          i + 1, policies.size(), policy, r.ok(), r.failed(), 100 * r.hitRate(), r.ttftP50Ms(), r.latencyP99Ms(),
          r.generatedTokensPerSecond());
      w.flush();
    }

    w.println();
    w.println(scale.describe());
    w.print(ReplayTable.text(results));
    if (out != null) {
      Files.writeString(out, ReplayTable.markdown(results, scale.describe()));
      w.println("report: " + out.toAbsolutePath());
    }
    w.flush();
    return 0;
  }

  private PolicyResult replay(String policy, Path modelDir, ScaledTrace scaled, PrintWriter w) throws Exception {
    Path dir = Files.createTempDirectory("sluice-replay-" + policy);
    ReplayStats stats = new ReplayStats(policy);
    int total = scaled.requests().size();
    try {
      PipelineSpec ps = new PipelineSpec(0, stages, workersPerStage, lanes, modelDir, policy, null, 0, dir, PREFIX);
      try (LocalPipeline pipeline = LocalPipeline.start(ps, line -> {}, Duration.ofMinutes(3));
          // Its own results group: the client owns every reply partition, the ingress ignores our keys.
          SluiceClient client = new SluiceClient(SluiceClientSettings.of(pipeline.bootstrapServers(), PREFIX)
              .withGroupId(PREFIX + ".bench-replay").withTimeout(Duration.ofSeconds(timeoutSeconds)))) {
        if (!client.awaitReady(Duration.ofSeconds(60))) throw new IllegalStateException("the results client got no reply partition in 60 s");
        warmUp(client, policy, scaled.scale(), w);
        Map<String, Long> servedBefore = requestsPerWorker(pipeline); // warm-up requests are not reported
        w.printf("  pipeline ready; submitting %d requests open-loop over %.1f s%n", total, scaled.durationMs() / 1000.0);
        w.flush();
        submitOpenLoop(policy, scaled, client, stats, w);
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (stats.finished() < total && System.nanoTime() < deadline) {
          Thread.sleep(2_000);
          w.printf("  %s: %d/%d finished%n", policy, stats.finished(), total);
          w.flush();
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

  /** Sends the warm-up requests at once and waits for them; their outcome is not counted. */
  private void warmUp(SluiceClient client, String policy, ReplayScale scale, PrintWriter w) throws InterruptedException {
    if (warmup <= 0) return;
    List<java.util.concurrent.CompletableFuture<?>> pending = new ArrayList<>();
    long start = System.currentTimeMillis();
    for (ScaledRequest r : ScaledTrace.warmup(warmup, scale)) {
      pending.add(client.submit(request(policy + "-" + r.id() + "-" + start, r)));
    }
    int failed = 0;
    for (var f : pending) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        failed++;
      }
    }
    w.printf("  warm-up: %d requests in %.1f s%s%n", warmup, (System.currentTimeMillis() - start) / 1000.0,
        failed == 0 ? "" : " (" + failed + " failed)");
    w.flush();
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

  private static void submitOpenLoop(String policy, ScaledTrace scaled, SluiceClient client, ReplayStats stats, PrintWriter w)
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
        w.printf("  %s: submitted %d/%d, %d finished%n", policy, submitted, scaled.requests().size(), stats.finished());
        w.flush();
      }
    }
  }

  /** Requests served per worker, named s<stage>w<index> to keep the table narrow. */
  private static Map<String, Long> requestsPerWorker(LocalPipeline pipeline) {
    Map<String, Long> served = new LinkedHashMap<>();
    for (StageWorker worker : pipeline.workers()) {
      String id = worker.workerId().replace(PREFIX + "-stage", "s").replace("-w", "w");
      served.put(id, worker.requestsServed());
    }
    return served;
  }

  private Path traceFile() {
    if (trace != null) {
      if (!Files.isRegularFile(trace)) throw new ParameterException(spec.commandLine(), "--trace: no such file: " + trace);
      return trace;
    }
    for (String dir : new String[] {System.getProperty("sluice.shared.dir"), "../shared", "../../shared"}) {
      if (dir != null && Files.isRegularFile(Path.of(dir, BenchPoliciesCommand.SHARED_TRACE))) {
        return Path.of(dir, BenchPoliciesCommand.SHARED_TRACE);
      }
    }
    throw new ParameterException(spec.commandLine(), "no trace given and ../shared/" + BenchPoliciesCommand.SHARED_TRACE
        + " not found: pass --trace FILE");
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
