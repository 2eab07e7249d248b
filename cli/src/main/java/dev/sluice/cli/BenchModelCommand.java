package dev.sluice.cli;

import dev.sluice.model.bench.ModelBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code sluice bench model}: the in-process forward's prefill and decode throughput ({@link ModelBenchmark}). */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = {"Prefill and decode throughput of the in-process model at several batch sizes.",
        "Arguments pass through to ModelBenchmark: [--model DIR]... [--shape qwen3-0.6b|llama3.2-1b|smollm2-135m|gpt2-small]... [--no-gpt2] [--prompt-tokens 128] "
            + "[--decode-steps 32] [--batches 1,4,16] [--repeat 1]"})
public final class BenchModelCommand implements Callable<Integer> {
  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    ModelBenchmark.main(args.toArray(String[]::new));
    return 0;
  }
}
