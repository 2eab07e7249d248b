package dev.sluice.cli;

import dev.sluice.bench.prefix.PrefixReport;
import dev.sluice.bench.prefix.PrefixResult;
import dev.sluice.bench.prefix.PrefixStats;
import dev.sluice.bench.prefix.PrefixTargets;
import dev.sluice.bench.prefix.PrefixWorkload;
import dev.sluice.cli.up.LocalPipeline;
import dev.sluice.cli.up.ModelLocator;
import dev.sluice.cli.up.PipelineSpec;
import dev.sluice.model.ModelConfig;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.results.client.SluiceClientSettings;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.hash.BlockSizeAgreement;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench prefix}: built-in shared-prefix workloads ({@link PrefixWorkload}) through a
 * real in-process pipeline, a fresh one (empty caches, empty routing index) per policy and workload,
 * closed loop at a concurrency or open loop at a rate; prints the side-by-side table and the
 * targets and writes an HTML report with a TTFT CDF per policy.
 */
@Command(name = "prefix", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Shared-prefix workloads through the real pipeline, one fresh pipeline per policy: TTFT, TPOT, "
        + "tokens/s, cached share against the workload's ceiling, requests per worker.",
        "For the targets: ./sluice init-model --shape gpt2-small --out models/gpt2-small, then --model models/gpt2-small."})
public final class BenchPrefixCommand implements Callable<Integer> {
  private static final String PREFIX = "sluice";

  @Spec CommandSpec spec;

  @Option(names = "--model", description = "Model directory or hub id (default: the embedded models/stories260K).")
  String model;

  @Option(names = "--workloads", split = ",", defaultValue = "groups,system-prompt",
      description = "Workloads: groups, multi-turn, system-prompt (default: ${DEFAULT-VALUE}).")
  List<String> workloads;

  @Option(names = "--policies", split = ",", defaultValue = "random,least_load,prefix_hash,cache_aware",
      description = "Routing policies, in order (default: ${DEFAULT-VALUE}).")
  List<String> policies;

  @Option(names = "--groups", defaultValue = "8", description = "G: groups (conversations for multi-turn) (default: ${DEFAULT-VALUE}).")
  int groups;

  @Option(names = "--questions", defaultValue = "6", description = "Q: questions per group (turns for multi-turn) (default: ${DEFAULT-VALUE}).")
  int questions;

  @Option(names = "--prefix-tokens", defaultValue = "300", description = "P: tokens of each system prompt or opening (default: ${DEFAULT-VALUE}).")
  int prefixTokens;

  @Option(names = "--question-tokens", defaultValue = "16", description = "U: tokens of each question or answer (default: ${DEFAULT-VALUE}).")
  int questionTokens;

  @Option(names = "--max-tokens", defaultValue = "4", description = "Tokens generated per request (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--concurrency", defaultValue = "4", description = "Closed loop: requests in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--rate", description = "Open loop instead: requests per second, evenly spaced.")
  Double rate;

  @Option(names = "--stages", defaultValue = "2", description = "Pipeline stages (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = "--workers-per-stage", defaultValue = "2", description = "Workers per stage (default: ${DEFAULT-VALUE}).")
  int workersPerStage;

  @Option(names = "--lanes", defaultValue = "8", description = "Lanes (default: ${DEFAULT-VALUE}).")
  int lanes;

  @Option(names = "--warmup", defaultValue = "8",
      description = "Unmeasured requests with unrelated prompts on each fresh pipeline first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--timeout-s", defaultValue = "600", description = "Longest wait for one run's completions (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--out", defaultValue = "bench-prefix.html", description = "HTML report (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    validate();
    Path modelDir = model != null ? ModelReferences.resolve(model, line -> { w.println(line); w.flush(); }) : ModelLocator.embeddedModel();
    ModelConfig config = ModelConfig.read(modelDir);
    PrefixWorkload.Shape shape = new PrefixWorkload.Shape(groups, questions, prefixTokens, questionTokens, config.vocabSize(),
        config.bosTokenId());
    String setup = String.format(Locale.ROOT, "model %s (%d layers, hidden %d), %d stages x %d workers, %d lanes, %s, "
            + "max_tokens %d, %d warm-up requests, a fresh pipeline per policy", modelDir.getFileName(), config.numLayers(),
        config.hiddenSize(), stages, workersPerStage, lanes, rate == null ? "closed loop at concurrency " + concurrency
            : String.format(Locale.ROOT, "open loop at %.2f requests/s", rate), maxTokens, warmup);
    w.println(setup);
    List<PrefixReport.Section> sections = new ArrayList<>();
    for (String name : workloads) {
      PrefixWorkload workload = PrefixWorkload.of(name, shape);
      if (workload.longestPrompt() + maxTokens > config.maxPositions()) {
        throw new ParameterException(spec.commandLine(), name + ": prompts of up to " + workload.longestPrompt()
            + " tokens + --max-tokens exceed the model's context of " + config.maxPositions());
      }
      double ceiling = workload.ceiling(BlockSizeAgreement.DEFAULT_BLOCK_SIZE);
      w.printf(Locale.ROOT, "%nworkload %s: %s; %d requests, %,d prompt tokens, cached-share ceiling %.1f%%%n", name,
          workload.description(), workload.prompts().size(), workload.promptTokens(), 100 * ceiling);
      w.flush();
      List<PrefixResult> results = new ArrayList<>();
      for (String policy : policies) results.add(run(policy, workload, ceiling, modelDir, w));
      w.println();
      w.print(PrefixReport.table(results));
      w.println("targets (cache_aware; set for GPT-2-small shape, 2 stages x 2 workers, 8 lanes):");
      PrefixTargets.check(results).forEach(t -> w.println(t.line()));
      w.flush();
      sections.add(new PrefixReport.Section(name, workload.description(), results));
    }
    PrefixReport.write(sections, setup, out);
    w.println("report: " + out.toAbsolutePath());
    w.flush();
    return 0;
  }

  private PrefixResult run(String policy, PrefixWorkload workload, double ceiling, Path modelDir, PrintWriter w) throws Exception {
    Path dir = Files.createTempDirectory("sluice-prefix-" + policy);
    PrefixStats stats = new PrefixStats();
    try {
      PipelineSpec ps = new PipelineSpec(0, stages, workersPerStage, lanes, modelDir, policy, null, 0, dir, PREFIX);
      long t0 = System.nanoTime();
      try (LocalPipeline pipeline = LocalPipeline.start(ps, line -> {}, Duration.ofMinutes(3));
           SluiceClient client = new SluiceClient(SluiceClientSettings.of(pipeline.bootstrapServers(), PREFIX)
               .withGroupId(PREFIX + ".bench-prefix").withTimeout(Duration.ofSeconds(timeoutSeconds)))) {
        if (!client.awaitReady(Duration.ofSeconds(60))) throw new IllegalStateException("the results client got no reply partition in 60 s");
        warmUp(client, workload, policy);
        Map<String, Long> before = BenchReplayCommand.requestsPerWorker(pipeline);
        w.printf(Locale.ROOT, "  %s / %s: pipeline ready in %.0f s, sending %d requests%n", workload.name(), policy,
            (System.nanoTime() - t0) / 1e9, workload.prompts().size());
        w.flush();
        send(client, workload, policy, stats);
        Map<String, Long> served = BenchReplayCommand.requestsPerWorker(pipeline);
        served.replaceAll((worker, n) -> n - before.getOrDefault(worker, 0L));
        PrefixResult r = stats.result(policy, workload.name(), ceiling, served);
        w.printf(Locale.ROOT, "  %s / %s: TTFT p50 %.0f ms, p99 %.0f ms, cached %.1f%% (%.2f of ceiling), %d rejected%n",
            workload.name(), policy, r.ttft(50), r.ttft(99), 100 * r.cachedShare(), r.ofCeiling(), r.rejected());
        w.flush();
        return r;
      }
    } finally {
      BenchReplayCommand.deleteQuietly(dir);
    }
  }

  /** Closed loop (a permit per request in flight) or open loop (evenly spaced); returns once all have ended. */
  private void send(SluiceClient client, PrefixWorkload workload, String policy, PrefixStats stats) throws InterruptedException {
    Semaphore permits = new Semaphore(rate == null ? concurrency : Integer.MAX_VALUE);
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
    for (int i = 0; i < warmup; i++) {
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
        .setMaxTokens(maxTokens)
        .setTemperature(0f)
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
  }

  private void validate() {
    for (String p : policies) {
      if (!RoutingPolicies.NAMES.contains(p)) {
        throw new ParameterException(spec.commandLine(), "--policies: unknown routing policy '" + p + "'; known: "
            + String.join(", ", RoutingPolicies.NAMES));
      }
    }
    for (String name : workloads) {
      if (!PrefixWorkload.NAMES.contains(name)) {
        throw new ParameterException(spec.commandLine(), "--workloads: unknown workload '" + name + "'; known: "
            + String.join(", ", PrefixWorkload.NAMES));
      }
    }
    if (concurrency < 1) throw new ParameterException(spec.commandLine(), "--concurrency must be >= 1: " + concurrency);
    if (rate != null && !(rate > 0)) throw new ParameterException(spec.commandLine(), "--rate must be > 0: " + rate);
    if (maxTokens < 1) throw new ParameterException(spec.commandLine(), "--max-tokens must be >= 1: " + maxTokens);
  }
}
