package dev.sluice.cli;

import dev.sluice.cli.up.LocalPipeline;
import dev.sluice.cli.up.PipelineSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Starts every role on this machine and serves until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Start the embedded broker, topics, router, workers and ingress on this machine; serve until Ctrl-C.")
public final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port of the ingress (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--stages", defaultValue = "2", description = "Pipeline stages (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = "--workers-per-stage", defaultValue = "1", description = "Workers in each stage's group (default: ${DEFAULT-VALUE}).")
  int workersPerStage;

  @Option(names = "--lanes", defaultValue = "32", description = "Lanes = partitions of each stage topic (default: ${DEFAULT-VALUE}).")
  int lanes;

  @Option(names = "--model", description = "Model directory (default: ../shared/models/stories260K when present, else a seeded random model).")
  Path model;

  @Option(names = "--policy", defaultValue = "cache_aware", description = "Routing policy (default: ${DEFAULT-VALUE}).")
  String policy;

  @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of the embedded broker.")
  String bootstrapServers;

  @Option(names = "--kafka-port", defaultValue = "0", description = "Port of the embedded broker on 127.0.0.1 (default: a free port).")
  int kafkaPort;

  @Option(names = "--data-dir", defaultValue = ".sluice/up", description = "Broker data, block caches, router state (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--prefix", defaultValue = "sluice", description = "Topic prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PipelineSpec ps = new PipelineSpec(port, stages, workersPerStage, lanes, model, policy, bootstrapServers,
        kafkaPort, dataDir, prefix);
    LocalPipeline pipeline = LocalPipeline.start(ps, line -> { out.println(line); out.flush(); }, Duration.ofMinutes(3));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("Stopping Sluice...");
      out.flush();
      pipeline.close();
      stopped.countDown();
    }, "sluice-up-shutdown"));
    String url = "http://127.0.0.1:" + pipeline.port();
    out.println();
    out.println("Sluice is up: " + url + "   (model " + pipeline.modelName() + ", Kafka " + pipeline.bootstrapServers() + ")");
    out.println("Try:");
    out.println("  curl -s " + url + "/v1/completions -H 'Content-Type: application/json' -d '{\"model\":\""
        + pipeline.modelName() + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":40}'");
    out.println("  curl -s " + url + "/workers     curl -s " + url + "/metrics");
    out.println("  ./sluice results tail --bootstrap-servers " + pipeline.bootstrapServers() + (prefix.equals("sluice") ? "" : " --prefix " + prefix));
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }
}
