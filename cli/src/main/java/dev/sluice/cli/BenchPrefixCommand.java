package dev.sluice.cli;

import dev.sluice.bench.prefix.PrefixBenchmark;
import dev.sluice.bench.prefix.PrefixReport;
import dev.sluice.bench.prefix.PrefixResult;
import dev.sluice.bench.prefix.PrefixTargets;
import dev.sluice.bench.prefix.PrefixWorkload;
import dev.sluice.bench.prefix.RouterReplicaTargets;
import dev.sluice.model.ModelConfig;
import dev.sluice.topics.TopicLayout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
public final class BenchPrefixCommand extends PrintingCommand {
  @Mixin EmbeddedModelOption model;

  @Option(names = "--workloads", split = ",", defaultValue = "groups,system-prompt",
      description = "Workloads: groups, multi-turn, system-prompt (default: ${DEFAULT-VALUE}).")
  List<String> workloads;

  @Mixin PolicyRunOptions policyRun = new PolicyRunOptions(List.of("random", "least_load", "prefix_hash", "cache_aware"), 8, 600);

  @Mixin PrefixShapeOptions shapeOptions;

  @Option(names = "--max-tokens", defaultValue = "4", description = "Tokens generated per request (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Mixin ArrivalOptions arrival;

  @Mixin PipelineShapeOptions pipeline;

  @Option(names = "--rounds", defaultValue = "1", description = "Rounds of every policy per workload, the order reversed"
      + " every other round; the table and targets then take each figure's median over the rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--routers", defaultValue = "1", description = "Router instances in each pipeline (default: ${DEFAULT-VALUE}).")
  int routers;

  @Option(names = "--router-replicas",
      description = "Also run cache_aware with two routers and with one router restarted half way, against one router: "
          + "the cached share must stay within " + RouterReplicaTargets.MAX_POINTS + " points.")
  boolean routerReplicas;

  /** {@code --report} as in the other bench commands; {@code --out}, its first name, still works. */
  @Option(names = {"--report", "--out"}, defaultValue = "bench-prefix.html", description = "HTML report (default: ${DEFAULT-VALUE}).")
  Path report;

  @Override
  int run(PrintWriter w) throws Exception {
    validate();
    Path modelDir = model.resolve(w);
    ModelConfig config = ModelConfig.read(modelDir);
    PrefixWorkload.Shape shape = shapeOptions.shape(config);
    String setup = String.format(Locale.ROOT, "model %s (%d layers, hidden %d), %s, %s, "
            + "max_tokens %d, %d warm-up requests, a fresh pipeline per policy", modelDir.getFileName(), config.numLayers(),
        config.hiddenSize(), pipeline.describe(), arrival.describe(), maxTokens, policyRun.warmup);
    w.println(setup);
    List<PrefixReport.Section> sections = new ArrayList<>();
    for (String name : workloads) {
      PrefixWorkload workload = PrefixWorkload.of(name, shape);
      if (workload.longestPrompt() + maxTokens > config.maxPositions()) {
        throw badUsage(name + ": prompts of up to " + workload.longestPrompt()
            + " tokens + --max-tokens exceed the model's context of " + config.maxPositions());
      }
      double ceiling = workload.ceiling(TopicLayout.DEFAULT_BLOCK_SIZE);
      w.printf(Locale.ROOT, "%nworkload %s: %s; %d requests, %,d prompt tokens, cached-share ceiling %.1f%%%n", name,
          workload.description(), workload.prompts().size(), workload.promptTokens(), 100 * ceiling);
      w.flush();
      PrefixBenchmark.Settings settings = new PrefixBenchmark.Settings(pipeline.stages, pipeline.workersPerStage, pipeline.lanes, maxTokens,
          arrival.concurrency, arrival.rate, policyRun.warmup, policyRun.timeoutSeconds, routers, false);
      PrefixBenchmark bench = new PrefixBenchmark(settings, w);
      if (sections.isEmpty()) bench.warmUpJvm(workload, config.vocabSize(), modelDir, policyRun.jvmWarmupRounds);
      List<List<PrefixResult>> byRound = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(policyRun.policies);
        if (round % 2 == 0) Collections.reverse(order); // what runs first or last changes every round
        if (rounds > 1) w.printf(Locale.ROOT, "%nround %d of %d: %s%n", round, rounds, String.join(", ", order));
        List<PrefixResult> results = new ArrayList<>();
        for (String policy : order) results.add(bench.run(policy, workload, ceiling, modelDir));
        results.sort(Comparator.comparingInt(r -> policyRun.policies.indexOf(r.policy())));
        w.println();
        w.print(PrefixReport.table(results));
        w.flush();
        byRound.add(results);
      }
      PrefixReport.Section section = new PrefixReport.Section(name, workload.description(), byRound);
      if (rounds > 1) {
        w.printf(Locale.ROOT, "%nmedians over %d rounds:%n", rounds);
        w.print(PrefixReport.medianTable(section.figures()));
      }
      w.println("targets (cache_aware; set for GPT-2-small shape, 2 stages x 2 workers, 8 lanes"
          + (rounds > 1 ? "; medians over the rounds" : "") + "):");
      PrefixTargets.check(section.figures()).forEach(t -> w.println(t.line()));
      w.flush();
      if (routerReplicas) {
        checkRouterReplicas(settings, workload, ceiling, modelDir, byRound.get(byRound.size() - 1), w);
      }
      sections.add(section);
    }
    PrefixReport.write(sections, setup, report);
    w.println("report: " + report.toAbsolutePath());
    return 0;
  }

  /** cache_aware with two routers and with a router restarted half way, against one router (run here if not above). */
  private void checkRouterReplicas(PrefixBenchmark.Settings settings, PrefixWorkload workload, double ceiling,
      Path modelDir, List<PrefixResult> results, PrintWriter w) throws Exception {
    String policy = "cache_aware";
    PrefixResult one = routers == 1 ? results.stream().filter(r -> r.policy().equals(policy)).findFirst().orElse(null) : null;
    if (one == null) {
      one = new PrefixBenchmark(settings.withRouters(1, false), w).run(policy, workload, ceiling, modelDir);
    }
    PrefixResult two = new PrefixBenchmark(settings.withRouters(2, false), w).run(policy, workload, ceiling, modelDir);
    PrefixResult restarted = new PrefixBenchmark(settings.withRouters(1, true), w).run(policy, workload, ceiling, modelDir);
    w.println("router replicas (" + policy + "):");
    RouterReplicaTargets.check(one, two, restarted).forEach(t -> w.println(t.line()));
    w.flush();
  }

  private void validate() {
    for (String name : workloads) {
      if (!PrefixWorkload.NAMES.contains(name)) {
        throw badUsage("--workloads: unknown workload '" + name + "'; known: "
            + String.join(", ", PrefixWorkload.NAMES));
      }
    }
    arrival.validate();
    if (routers < 1) throw badUsage("--routers must be >= 1: " + routers);
    if (maxTokens < 1) throw badUsage("--max-tokens must be >= 1: " + maxTokens);
    if (rounds < 1) throw badUsage("--rounds must be >= 1: " + rounds);
  }
}
