package dev.sluice.cli;

import dev.sluice.kafka.local.LocalKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Run a single-node KRaft Kafka broker in this process until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = "Run a single-node KRaft Kafka broker in this process until Ctrl-C; its data stays in --data-dir.")
public final class BrokerCommand implements Callable<Integer> {

  @Option(names = "--data-dir", required = true,
      description = "Kafka's own directory for logs and metadata; reused (topics and records kept) on restart.")
  Path dataDir;

  @Option(names = "--kafka-port", defaultValue = "0",
      description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Spec CommandSpec spec;

  private final CountDownLatch stopRequested = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    var out = spec.commandLine().getOut();
    // Ctrl-C asks this thread to stop the broker and waits until it has, so the broker shuts down
    // cleanly before the JVM exits.
    try (StopOnCtrlC ctrlC = new StopOnCtrlC("sluice-broker-shutdown", stopRequested);
        LocalKafka kafka = new LocalKafka(dataDir, kafkaPort)) {
      kafka.start();
      out.println("Kafka broker ready at " + kafka.bootstrapServers());
      out.println("data in " + kafka.dataDir() + " (cluster id " + kafka.clusterId() + "); Ctrl-C stops it");
      out.flush();
      stopRequested.await();
      out.println("stopping the Kafka broker");
      out.flush();
    }
    out.println("Kafka broker stopped");
    out.flush();
    return 0;
  }

  /** Stops a running {@code call()} as Ctrl-C would (for tests and embedding). */
  void requestStop() {
    stopRequested.countDown();
  }
}
