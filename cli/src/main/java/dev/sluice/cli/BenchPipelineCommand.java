package dev.sluice.cli;

import dev.sluice.kafka.local.LocalKafka;
import dev.sluice.worker.bench.PipelineBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code sluice bench pipeline}: a 2-stage pipeline over Kafka against in-process generation
 * ({@link PipelineBenchmark}). Without --bootstrap-servers it starts an embedded broker for the run.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = {"Tokens/s of a 2-stage pipeline over Kafka against in-process generation, and hop latencies.",
        "Arguments pass through to PipelineBenchmark: [--bootstrap-servers H:P] [--model DIR | --shape gpt2-small] "
            + "[--requests 16] [--prompt-tokens 32] [--max-tokens 32] [--batching-window-ms N].",
        "Without --bootstrap-servers an embedded single-node broker is started for the run."})
public final class BenchPipelineCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (args.contains("--bootstrap-servers")) {
      PipelineBenchmark.main(args.toArray(String[]::new));
      return 0;
    }
    spec.commandLine().getOut().println("no --bootstrap-servers: starting an embedded Kafka broker for the run ...");
    spec.commandLine().getOut().flush();
    try (LocalKafka kafka = LocalKafka.inTempDir().start()) {
      List<String> withBroker = new ArrayList<>(args);
      withBroker.add("--bootstrap-servers");
      withBroker.add(kafka.bootstrapServers());
      PipelineBenchmark.main(withBroker.toArray(String[]::new));
    }
    return 0;
  }
}
