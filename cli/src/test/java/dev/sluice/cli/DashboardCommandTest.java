package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

@ExtendWith(SharedKafkaExtension.class)
class DashboardCommandTest {

  @Test
  void shouldServeThePageAndSnapshotUntilStopped() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("dashcli");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    try (TopicAdmin topics = TopicAdmin.connect(bootstrap)) {
      topics.create(TopicLayout.defaults().withNamespace(namespace).withStages(3).withLanes(2));
    }
    DashboardCommand command = new DashboardCommand();
    CommandLine cmd = new CommandLine(command);
    cmd.setExecutionExceptionHandler(new ErrorHandler());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cmd.execute(
        "--port", "0", "--host", "127.0.0.1", "--bootstrap-servers", bootstrap, "--prefix", namespace));

    int port = command.boundPort.get(60, TimeUnit.SECONDS);
    assertThat(port).as(err.toString()).isPositive();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> snapshot = waitForSnapshot(http, port);
    command.stop.countDown();

    assertThat(exit.get(30, TimeUnit.SECONDS)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Sluice dashboard on http://127.0.0.1:" + port + "/", "prefix " + namespace);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Sluice dashboard</title>");
    assertThat(snapshot.body()).contains("\"prefix\":\"" + namespace + "\"", namespace + ".stage-2\"").doesNotContain(namespace + ".stage-3");
  }

  @Test
  void shouldRejectAnInvalidPrefixWithTheKeyName() {
    StringWriter err = new StringWriter();
    CommandLine cmd = Sluice.commandLine();
    cmd.setErr(new PrintWriter(err, true));

    int exit = cmd.execute("dashboard", "--port", "0", "--prefix", "bad prefix!");

    assertThat(exit).isEqualTo(ErrorHandler.EXIT_CONFIG);
    assertThat(err.toString()).contains("configuration error", "prefix");
  }

  // The first sample is taken right after start; until then the endpoint answers 503.
  private static HttpResponse<String> waitForSnapshot(HttpClient http, int port) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/snapshot")).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    for (int i = 0; i < 300 && response.statusCode() != 200; i++) {
      Thread.sleep(100);
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    }
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }
}
