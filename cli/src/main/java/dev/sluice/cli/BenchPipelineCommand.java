package dev.sluice.cli;

import dev.sluice.bench.pipeline.PipelineBenchmark;
import dev.sluice.kafka.local.LocalKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench pipeline}: the S-stage pipeline over Kafka against in-process generation on the
 * same cores, in alternating rounds ({@link PipelineBenchmark}). Without --bootstrap-servers it starts
 * an embedded broker for the run.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Generated tokens/s of an S-stage pipeline over Kafka (its stages sharing T PyTorch threads) against "
        + "the whole model in process with T threads, in alternating rounds; Kafka hop latencies against raw Kafka; "
        + "single-request per-token latency; the ratio under exactly-once; a timeline of the stages.",
        "Without --bootstrap-servers an embedded single-node broker is started for the run."})
public final class BenchPipelineCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", description = "Kafka to run on (default: an embedded broker).")
  String bootstrapServers;

  @Option(names = "--model", description = "Model directory (default: a seeded random model of --shape).")
  Path model;

  @Option(names = "--shape", defaultValue = "gpt2-small", description = "Random model shape when no --model.")
  String shape;

  @Option(names = "--requests", defaultValue = "16", description = "Concurrent requests per round.")
  int requests;

  @Option(names = "--prompt-tokens", defaultValue = "32", description = "Prompt tokens per request.")
  int promptTokens;

  @Option(names = "--max-tokens", defaultValue = "32", description = "New tokens per request.")
  int maxTokens;

  @Option(names = "--rounds", defaultValue = "3", description = "Rounds of each side, alternating.")
  int rounds;

  private static final String WARMUP_ROUNDS_HELP = "Most uncounted rounds of each side first; they end once the JIT"
      + " compiler settles (under 3%% of the cores; at least 2).";

  @Option(names = "--warmup-rounds", defaultValue = "20", description = WARMUP_ROUNDS_HELP)
  int warmupRounds;

  @Mixin StageSplitOptions stageSplit;

  @Option(names = "--batching-window-ms", defaultValue = "5", description = "Workers' batching window.")
  int batchingWindowMs;

  @Option(names = "--max-batch-size", defaultValue = "16", description = "Workers' max records per step.")
  int maxBatchSize;

  @Option(names = "--skip-exactly-once", description = "Skip the rounds with --guarantee exactly-once.")
  boolean skipExactlyOnce;

  @Mixin ReportOption report = new ReportOption("target/bench/pipeline.html");

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SystemDefaults.apply();
    var out = spec.commandLine().getOut();
    var options = new PipelineBenchmark.Options(model, shape, requests, promptTokens, maxTokens, rounds, warmupRounds,
        stageSplit.stageCount(), stageSplit.inProcessThreads(), batchingWindowMs, maxBatchSize, !skipExactlyOnce,
        report.report, stageSplit.ranges());
    if (bootstrapServers != null) {
      new PipelineBenchmark(System.out).run(bootstrapServers, options);
      return 0;
    }
    out.println("no --bootstrap-servers: starting an embedded Kafka broker for the run ...");
    out.flush();
    try (LocalKafka kafka = LocalKafka.inTempDir().start()) {
      new PipelineBenchmark(System.out).run(kafka.bootstrapServers(), options);
    }
    return 0;
  }
}
