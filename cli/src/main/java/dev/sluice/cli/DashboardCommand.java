package dev.sluice.cli;

import dev.sluice.bench.dashboard.DashboardServer;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Serve the live dashboard: workers, lag per stage and lane, tokens/s and cache hit rate, read from Kafka only. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class, modelTransformer = KeyOptions.class,
    description = "Serve the live dashboard (workers, lag per stage and lane, tokens/s, cache hit rate; "
        + "JSON at /api/snapshot) until Ctrl-C. Reads Kafka only: no ingress needed.")
public final class DashboardCommand implements Callable<Integer>, KeyDefaults.Keyed {
  static final ConfigKey<Integer> PORT = ConfigKey.intKey("port", 8090, 0, 65535, "dashboard HTTP port (0 = any free port)");
  static final ConfigKey<String> HOST = ConfigKey.stringKey("host", "0.0.0.0", "interface the dashboard binds");

  static final List<ConfigKey<?>> KEYS = List.of(PORT, HOST);

  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  @Override
  public List<ConfigKey<?>> keys() {
    return KEYS;
  }

  /** Counted down by Ctrl-C, or by a test, to stop serving. */
  final CountDownLatch stop = new CountDownLatch(1);
  /** Completes with the bound port once the dashboard serves (tests start on port 0). */
  final CompletableFuture<Integer> boundPort = new CompletableFuture<>();

  @Override
  public Integer call() throws InterruptedException {
    ConfigResolver config = kafka.resolver(KEYS);
    try (StopOnCtrlC ctrlC = new StopOnCtrlC("sluice-dashboard-stop", stop);
        DashboardServer server = DashboardServer.start(config.get(HOST), config.get(PORT), kafka.bootstrapServers(),
            kafka.namespace(), kafka.clientOverrides())) {
      spec.commandLine().getOut().println("Sluice dashboard on http://127.0.0.1:" + server.port() + "/ (Kafka "
          + kafka.bootstrapServers() + ", prefix " + kafka.namespace() + "; JSON at /api/snapshot)");
      spec.commandLine().getOut().flush();
      boundPort.complete(server.port());
      stop.await();
    } finally {
      boundPort.complete(-1);
    }
    return 0;
  }
}
