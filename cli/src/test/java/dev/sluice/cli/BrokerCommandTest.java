package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BrokerCommandTest {
  private static final Pattern READY = Pattern.compile("Kafka broker ready at (127\\.0\\.0\\.1:\\d+)");

  @Test
  void shouldServeUntilStoppedAndKeepTopicsAcrossRestarts(@TempDir Path dataDir) throws Exception {
    try (RunningBroker first = RunningBroker.start(dataDir);
         Admin admin = Admin.create(Map.of("bootstrap.servers", first.bootstrap))) {
      admin.createTopics(List.of(new NewTopic("kept-by-broker-command", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      assertThat(first.stop()).isZero();
      assertThat(first.output.toString()).contains("Kafka broker stopped");
    }

    try (RunningBroker second = RunningBroker.start(dataDir);
         Admin admin = Admin.create(Map.of("bootstrap.servers", second.bootstrap))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept-by-broker-command");
      assertThat(second.stop()).isZero();
    }
  }

  @Test
  void shouldRequireADataDir() {
    StringWriter err = new StringWriter();
    CommandLine cmd = Sluice.commandLine();
    cmd.setErr(new PrintWriter(err, true));

    assertThat(cmd.execute("broker")).isEqualTo(2);
    assertThat(err.toString()).contains("--data-dir");
  }

  /** {@code sluice broker} running on a background thread, as a user would run it in a terminal. */
  private static final class RunningBroker implements AutoCloseable {
    final StringWriter output = new StringWriter();
    final BrokerCommand command;
    final CompletableFuture<Integer> exit;
    String bootstrap;

    private RunningBroker(Path dataDir) {
      CommandLine cmd = Sluice.commandLine();
      cmd.setOut(new PrintWriter(output, true));
      command = cmd.getSubcommands().get("broker").getCommand();
      exit = CompletableFuture.supplyAsync(() -> cmd.execute("broker", "--data-dir", dataDir.toString()));
    }

    static RunningBroker start(Path dataDir) {
      RunningBroker broker = new RunningBroker(dataDir);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> READY.matcher(broker.output.toString()).find() || broker.exit.isDone());
      Matcher ready = READY.matcher(broker.output.toString());
      assertThat(ready.find()).as("broker output: %s", broker.output).isTrue();
      broker.bootstrap = ready.group(1);
      return broker;
    }

    int stop() throws Exception {
      command.requestStop();
      return exit.get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      if (!exit.isDone()) stop();
    }
  }
}
