package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.results.testing.ScriptedLastStage;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Adding an ingress instance moves reply partitions; requests waiting on a moved one are re-submitted, not lost. */
@ExtendWith(SharedKafkaExtension.class)
class IngressScaleOutTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static JsonNode health(IngressServer server) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build();
    return JSON.readTree(HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body());
  }

  private static CompletableFuture<HttpResponse<String>> complete(IngressServer server) {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hold\"}")).build();
    return HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldResubmitRequestsWhoseReplyPartitionMovedToANewInstance() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = SharedKafkaExtension.uniquePrefix("ingress-scale");
    ScriptedLastStage.createTopics(bootstrap, namespace, 2);
    IngressSettings settings = IngressSettings.forModel("stories260K").withHost("127.0.0.1").withPort(0);
    // The stage holds every request: the test answers them once the group has settled.
    try (ScriptedLastStage stage = new ScriptedLastStage(bootstrap, namespace, r -> List.of());
        IngressServer first = IngressServer.start(settings, bootstrap, namespace, new PrometheusRegistry())) {
      assertThat(first.awaitReady(WAIT)).isTrue();
      await().atMost(WAIT).until(() -> health(first).get("reply_partitions").size() == 2);
      List<CompletableFuture<HttpResponse<String>>> calls = List.of(complete(first), complete(first));
      List<ScriptedLastStage.Received> received = new ArrayList<>();
      for (int i = 0; i < 2; i++) received.add(stage.nextRequest(WAIT));
      assertThat(received).extracting(ScriptedLastStage.Received::replyPartition).containsExactlyInAnyOrder(0, 1);

      try (IngressServer second = IngressServer.start(settings, bootstrap, namespace, new PrometheusRegistry())) {
        assertThat(second.awaitReady(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> health(first).get("reply_partitions").size() == 1);
        int kept = health(first).get("reply_partitions").get(0).asInt();

        ScriptedLastStage.Received resubmitted = stage.nextRequest(WAIT);
        assertThat(resubmitted).as("the request of the moved partition comes again").isNotNull();
        assertThat(resubmitted.replyPartition()).isEqualTo(kept);
        received.add(resubmitted);
        for (ScriptedLastStage.Received r : received) {
          String id = r.request().getRequestId();
          stage.publish(r.replyPartition(), ScriptedLastStage.completion(id, List.of("Once", " upon"), 2, 0, r.request().getCreatedAtMs()));
        }

        Set<String> answeredIds = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> call : calls) {
          HttpResponse<String> r = call.get();
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          JsonNode json = JSON.readTree(r.body());
          assertThat(json.at("/choices/0/text").asText()).isEqualTo("Once upon");
          answeredIds.add(json.get("id").asText());
        }
        assertThat(answeredIds).hasSize(2);
        assertThat(stage.nextRequest(Duration.ofMillis(500))).as("no further re-submission").isNull();
      }
    }
  }
}
