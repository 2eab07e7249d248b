package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

@ExtendWith(SharedKafkaExtension.class)
class DashboardCommandTest extends CommandTestSupport {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeThePageAndSnapshotUntilStopped() throws Exception {
    String namespace = threeStageNamespace("dashcli");
    CommandLine cmd = commandLine();
    DashboardCommand command = cmd.getSubcommands().get("dashboard").getCommand();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cmd.execute("dashboard", "--port", "0",
        "--host", "127.0.0.1", "--bootstrap-servers", SharedKafkaExtension.bootstrapServers(), "--prefix", namespace));

    int port = command.boundPort.get(60, TimeUnit.SECONDS);
    assertThat(port).as(err.toString()).isPositive();
    HttpResponse<String> page = get(port, "/");
    HttpResponse<String> snapshot = awaitSnapshot(port);
    command.stop.countDown();

    assertThat(exit.get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Sluice dashboard on http://127.0.0.1:" + port + "/", "prefix " + namespace);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Sluice dashboard</title>");
    assertThat(snapshot.body()).contains("\"prefix\":\"" + namespace + "\"", namespace + ".stage-2\"").doesNotContain(namespace + ".stage-3");
  }

  @Test
  void shouldRejectAnInvalidPrefixWithTheKeyName() {
    int exit = sluice("dashboard", "--port", "0", "--prefix", "bad prefix!");

    assertThat(exit).isEqualTo(ErrorHandler.EXIT_CONFIG);
    assertThat(err.toString()).contains("configuration error", "prefix");
  }

  /** A fresh namespace with the topics of three stages on the shared broker. */
  private static String threeStageNamespace(String name) {
    String namespace = SharedKafkaExtension.uniquePrefix(name);
    try (TopicAdmin topics = TopicAdmin.connect(SharedKafkaExtension.bootstrapServers())) {
      topics.create(TopicLayout.defaults().withNamespace(namespace).withStages(3).withLanes(2));
    }
    return namespace;
  }

  // The first sample is taken right after start; until then the endpoint answers 503.
  private HttpResponse<String> awaitSnapshot(int port) {
    AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
    await("a snapshot (200)").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      last.set(get(port, "/api/snapshot"));
      return last.get().statusCode() == 200;
    });
    return last.get();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
