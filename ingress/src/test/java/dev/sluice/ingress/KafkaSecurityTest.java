package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterService;
import dev.sluice.router.RouterSettings;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every role over a SASL_PLAINTEXT (PLAIN) listener of the shared in-process broker, given nothing but
 * that listener's address and the SASL client settings (as {@code --command-config FILE} passes them):
 * the router, two stage workers and the ingress must get ready and serve, cancel and resume requests,
 * which needs every Kafka client of every role (consumers, producers, admin clients, the Streams
 * client, the cancel and replay readers) to log in.
 */
@ExtendWith(SharedKafkaExtension.class)
class KafkaSecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldServeCancelAndResumeWithEveryClientOverSasl() throws Exception {
    SharedKafkaExtension.SaslListener sasl = SharedKafkaExtension.saslListener().orElse(null);
    assumeTrue(sasl != null, "the shared broker has no SASL listener (a container broker) — skipping");
    Path model = EndToEndTest.sharedDir().resolve("models").resolve("stories260K");
    assumeTrue(Files.isDirectory(model), "shared model missing — skipping");
    String bootstrap = sasl.bootstrapServers();
    Map<String, Object> login = sasl.clientSettings();

    // The listener refuses a client that does not log in: without the settings nothing works.
    Properties plain = new Properties();
    plain.put("bootstrap.servers", bootstrap);
    plain.put("request.timeout.ms", 2000);
    plain.put("default.api.timeout.ms", 3000);
    try (Admin admin = Admin.create(plain)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(5, TimeUnit.SECONDS)).isInstanceOf(Exception.class);
    }

    String namespace = SharedKafkaExtension.uniquePrefix("sasl");
    Properties admin = new Properties();
    admin.put("bootstrap.servers", bootstrap);
    admin.putAll(login);
    try (TopicAdmin topics = TopicAdmin.connect(admin)) {
      topics.create(TopicLayout.defaults().withNamespace(namespace).withStages(2).withLanes(2).withResultsPartitions(2));
    }
    Path data = Files.createTempDirectory("sluice-sasl");
    List<StageWorker> workers = new ArrayList<>();
    try (TextTokenizer tokenizer = Tokenizers.load(model);
        RouterService router = RouterService.start(RouterSettings.defaults("stories260K").withLanes(2)
            .withDataDir(data.resolve("router")), bootstrap, namespace, tokenizer::encode, login,
            new RouterMetrics(new PrometheusRegistry()));
        IngressServer ingress = IngressServer.start(IngressSettings.forModel("stories260K").withHost("127.0.0.1")
            .withPort(0).withKafkaOverrides(login), bootstrap, namespace, new PrometheusRegistry())) {
      String[] layers = {"0-2", "3-4"};
      for (int stage = 0; stage < 2; stage++) {
        workers.add(StageWorker.start(WorkerSettings.of(stage, LayerRange.parse(layers[stage]), model, bootstrap, namespace)
            .withWorkerId(namespace + "-w" + stage).withDataDir(data.resolve("w" + stage)).withKvCacheMb(16).withKafka(login),
            new PrometheusRegistry()));
      }
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
          .until(() -> router.isReady() && ingress.isReady() && workers.stream().allMatch(StageWorker::isReady));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + ingress.port();

      HttpResponse<String> completion = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
      assertThat(JSON.readTree(completion.body()).at("/usage/completion_tokens").asInt()).isEqualTo(8);

      // a stream cancelled through the API (the cancels topic, read by every worker)...
      HttpResponse<java.util.stream.Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(base
          + "/v1/completions")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"prompt\":\"Lily\",\"max_tokens\":200,\"temperature\":0,\"stream\":true}")).build(),
          HttpResponse.BodyHandlers.ofLines());
      String id = stream.headers().firstValue("X-Request-Id").orElseThrow();
      Iterator<String> lines = stream.body().iterator();
      while (!lines.next().startsWith("data: ")) {
        // the first event
      }
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/requests/" + id + "/cancel"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(202);
      JsonNode last = null;
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("data: {")) last = JSON.readTree(line.substring(6));
      }
      assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("cancelled");

      // ...and read back from the results topic by the replay reader
      HttpResponse<String> resumed = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/requests/" + id
          + "/stream?endpoint=completions")).header("Last-Event-ID", "0").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(resumed.statusCode()).isEqualTo(200);
      assertThat(resumed.body()).contains("\"finish_reason\":\"cancelled\"").endsWith("data: [DONE]\n\n");
    } finally {
      workers.forEach(StageWorker::close);
    }
  }
}
