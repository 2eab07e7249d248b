package dev.sluice.cli;

import dev.sluice.bench.model.ModelBenchmark;
import dev.sluice.embedded.ModelLocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;

/** {@code sluice bench model}: the in-process forward's prefill and decode throughput ({@link ModelBenchmark}). */
@Command(name = "model", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Prefill and decode throughput of the in-process model at several batch sizes, the memory a stage "
        + "needs, and how far batch-1 decode is from this machine's memory-bandwidth limit."})
public final class BenchModelCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "DIR|ORG/NAME", showDefaultValue = Help.Visibility.NEVER, description = "A model to measure (repeatable; default: the "
      + "embedded stories260K when no --shape is given).")
  List<String> models = new ArrayList<>();

  @Option(names = "--shape", paramLabel = "PRESET", showDefaultValue = Help.Visibility.NEVER, description = "A seeded random model at a real shape (repeatable): "
      + "gpt2-small, qwen3-0.6b, llama3.2-1b, smollm2-135m (default: gpt2-small).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--no-gpt2", description = "Leave out the default gpt2-small shape.")
  boolean noGpt2;

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
    List<Path> dirs = new ArrayList<>();
    for (String m : models) {
      dirs.add(ModelReferences.resolve(m, System.out::println));
    }
    if (dirs.isEmpty() && shapes.isEmpty()) {
      dirs.add(ModelLocator.embeddedModel());
    }
    List<String> randomShapes = new ArrayList<>(shapes);
    if (randomShapes.isEmpty() && !noGpt2) {
      randomShapes.add("gpt2-small");
    }
    new ModelBenchmark(System.out, promptTokens, decodeSteps, batches, repeat).run(dirs, randomShapes);
    return 0;
  }
}
