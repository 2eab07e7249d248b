package dev.sluice.cli;

import dev.sluice.bench.model.ModelBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench model}: the in-process forward's prefill and decode throughput ({@link ModelBenchmark}). */
@Command(name = "model", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Prefill and decode throughput of the in-process model at several batch sizes, the memory a stage "
        + "needs, and how far batch-1 decode is from this machine's memory-bandwidth limit."})
public final class BenchModelCommand implements Callable<Integer> {
  @Mixin ModelsToMeasure models;

  @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt tokens per sequence (the prefill).")
  int promptTokens;

  @Option(names = "--decode-steps", defaultValue = "32", description = "Decode steps after the prefill.")
  int decodeSteps;

  @Option(names = "--batches", split = ",", defaultValue = "1,4,16", description = "Batch sizes.")
  int[] batches;

  @Option(names = "--repeat", defaultValue = "1", description = "Runs per batch size; the fastest is kept.")
  int repeat;

  @Override
  public Integer call() throws Exception {
    new ModelBenchmark(System.out, promptTokens, decodeSteps, batches, repeat).run(models.folders(), models.randomShapes());
    return 0;
  }
}
