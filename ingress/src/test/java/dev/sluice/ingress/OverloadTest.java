package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.results.testing.ScriptedLastStage;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ingress under a burst and without workers, over the shared broker: {@link ScriptedLastStage}
 * plays the pipeline and never answers prompts that say "silent", so requests wait as long as their
 * deadline. A burst of 300 concurrent requests gets only answers (200, 429 with Retry-After, or the
 * deadline's 504) and no connection reset; waiting requests hold no server thread; with no live worker
 * for a stage, /health is 503 and requests fail fast with no_workers; /workers forgets silent workers.
 */
@ExtendWith(SharedKafkaExtension.class)
class OverloadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BURST = 300;

  /** A fresh namespace with its topics (one lane). */
  private static String namespaceWithTopics(String bootstrap, String name) throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix(name);
    ScriptedLastStage.createTopics(bootstrap, namespace, 1);
    return namespace;
  }

  /** The ingress of these tests: stories260K on a free port of 127.0.0.1. */
  private static IngressSettings localIngress() {
    return IngressSettings.forModel("stories260K").withHost("127.0.0.1").withPort(0);
  }

  private static List<ResultEvent> script(ScriptedLastStage.Received r) {
    String prompt = r.request().getPrompt().toString();
    if (prompt.equals("silent")) return List.of(); // the request waits for its deadline
    return ScriptedLastStage.completion(r.request().getRequestId().toString(), List.of("Once", " upon"), 2, 0,
        r.request().getCreatedAtMs());
  }

  @Test
  void shouldAnswerEveryRequestOfABurstWithoutResetsAndHoldNoThreadWhileWaiting() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = namespaceWithTopics(bootstrap, "burst");
    IngressSettings settings = localIngress()
        .withMaxInFlight(128).withRequestTimeout(Duration.ofSeconds(8));
    try (ScriptedLastStage stage = new ScriptedLastStage(bootstrap, namespace, OverloadTest::script);
        IngressServer ingress = IngressServer.start(settings, bootstrap, namespace, new PrometheusRegistry())) {
      await().atMost(Duration.ofSeconds(60)).until(ingress::isReady);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        String prompt = "silent";
        burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + "/v1/completions"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                "{\"prompt\":\"" + prompt + "\",\"max_tokens\":2}")).build(), HttpResponse.BodyHandlers.ofString()));
      }
      // Once every request beyond the 128 was turned away, 128 wait for their deadline: no HTTP thread
      // is in the ingress's code for them.
      await().atMost(Duration.ofSeconds(30))
          .until(() -> burst.stream().filter(CompletableFuture::isDone).count() == BURST - 128);
      assertThat(health(http, ingress).get("in_flight").asInt()).isEqualTo(128);
      assertThat(threadsInIngressCode()).as("server threads inside the ingress while requests wait").isZero();

      Map<String, Integer> outcomes = new TreeMap<>();
      int withoutRetryAfter = 0;
      for (CompletableFuture<HttpResponse<String>> f : burst) {
        try {
          HttpResponse<String> r = f.get();
          outcomes.merge(String.valueOf(r.statusCode()), 1, Integer::sum);
          if (r.statusCode() == 429 && r.headers().firstValue("Retry-After").isEmpty()) withoutRetryAfter++;
          if (r.statusCode() != 200) assertThat(JSON.readTree(r.body()).has("error")).as(r.body()).isTrue();
        } catch (Exception e) {
          outcomes.merge("failed: " + e.getCause().getClass().getSimpleName(), 1, Integer::sum);
        }
      }
      System.out.println("burst of " + BURST + " concurrent requests (128 in flight at most): " + outcomes);
      assertThat(outcomes).as("only HTTP answers, no resets").isEqualTo(Map.of("429", BURST - 128, "504", 128));
      assertThat(withoutRetryAfter).isZero();
    }
  }

  @Test
  void shouldBeNotReadyAndFailFastWhileAStageHasNoLiveWorker() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = namespaceWithTopics(bootstrap, "noworkers");
    IngressSettings settings = localIngress()
        .withWorkerForgetAfter(Duration.ofSeconds(30));
    HttpClient http = HttpClient.newHttpClient();
    // Heartbeats of workers that died a minute and ten seconds ago (read back from the compacted topic).
    long now = System.currentTimeMillis();
    publish(namespace, heartbeat("gone-long-ago", now - 60_000), heartbeat("just-stale", now - 10_000));
    try (IngressServer ingress = IngressServer.start(settings, bootstrap, namespace, new PrometheusRegistry())) {
      try (ScriptedLastStage stage = new ScriptedLastStage(bootstrap, namespace, OverloadTest::script)) {
        await().atMost(Duration.ofSeconds(60)).until(ingress::isReady);
        assertThat(post(http, ingress).statusCode()).isEqualTo(200);
      } // the stage leaves (a tombstone): stage 0 has no worker now
      await().atMost(Duration.ofSeconds(10)).until(() -> !ingress.isReady());
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri(ingress, "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("no_workers");
      assertThat(JSON.readTree(health.body()).get("stages_without_workers").toString()).isEqualTo("[0]");
      long start = System.nanoTime();
      HttpResponse<String> refused = post(http, ingress);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("no_workers");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat((System.nanoTime() - start) / 1_000_000).as("fails fast (ms)").isLessThan(2_000);

      // A worker silent for longer than worker_forget_after is no longer listed; a recent one is, as stale.
      assertThat(workerIds(http, ingress)).contains("just-stale").doesNotContain("gone-long-ago");
    }
  }

  @Test
  void shouldTurnRequestsAwayWith429WhileAStageHasTooManyRecordsWaiting() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = namespaceWithTopics(bootstrap, "full");
    IngressSettings settings = localIngress()
        .withMaxQueuedPerStage(100);
    HttpClient http = HttpClient.newHttpClient();
    try (ScriptedLastStage stage = new ScriptedLastStage(bootstrap, namespace, OverloadTest::script);
        IngressServer ingress = IngressServer.start(settings, bootstrap, namespace, new PrometheusRegistry())) {
      await().atMost(Duration.ofSeconds(60)).until(ingress::isReady);
      assertThat(post(http, ingress).statusCode()).isEqualTo(200);
      WorkerStatus busy = WorkerStatus.newBuilder(heartbeat("busy", System.currentTimeMillis())).setQueueDepth(500).build();
      publish(namespace, busy);
      HttpResponse<String> refused = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> post(http, ingress), r -> r.statusCode() == 429);
      assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("pipeline_full");
      assertThat(refused.headers().firstValue("Retry-After")).contains("2");
      publish(namespace, WorkerStatus.newBuilder(busy).setQueueDepth(3).setTimestampMs(System.currentTimeMillis()).build());
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> post(http, ingress).statusCode() == 200);
    }
  }

  private static HttpResponse<String> post(HttpClient http, IngressServer ingress) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(ingress, "/v1/completions")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":2}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(IngressServer ingress, String path) {
    return URI.create("http://127.0.0.1:" + ingress.port() + path);
  }

  private static JsonNode health(HttpClient http, IngressServer ingress) throws Exception {
    return JSON.readTree(http.send(HttpRequest.newBuilder(uri(ingress, "/health")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static List<String> workerIds(HttpClient http, IngressServer ingress) throws Exception {
    List<String> ids = new ArrayList<>();
    JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(uri(ingress, "/workers")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get("workers");
    list.forEach(w -> ids.add(w.get("worker_id").asText()));
    return ids;
  }

  /** Threads whose stack is inside the ingress's own classes right now (a handler waiting would be). */
  private static long threadsInIngressCode() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("JettyServerThreadPool"))
        .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("dev.sluice.ingress")))
        .count();
  }

  private static WorkerStatus heartbeat(String id, long at) {
    return WorkerStatus.newBuilder().setWorkerId(id).setHost("box").setStage(0).setLayerStart(0).setLayerEnd(1)
        .setLanes(List.of(0)).setState(WorkerState.READY).setTimestampMs(at).build();
  }

  private static void publish(String namespace, WorkerStatus... statuses) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    try (KafkaProducer<String, WorkerStatus> producer =
        new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.workerStatus().serializer())) {
      for (WorkerStatus s : statuses) {
        producer.send(new ProducerRecord<>(new SluiceTopics(namespace).workers().name(), 0, s.getTimestampMs(),
            s.getWorkerId().toString(), s)).get();
      }
    }
  }
}
