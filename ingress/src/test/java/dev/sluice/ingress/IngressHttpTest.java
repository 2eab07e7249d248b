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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP API over a real broker: {@link ScriptedLastStage} plays router and last stage, answering
 * by prompt: {@code "fail:<code>"} gets an ERROR result with that code, {@code "silent"} gets
 * nothing, anything else the tokens "Once", " upon", " a", " time" and DONE (5 prompt tokens, 3 cached).
 * Three ingress instances share the results group, as scaled-out instances would.
 */
@ExtendWith(SharedKafkaExtension.class)
class IngressHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int RESULT_PARTITIONS = 6;
  private static final String MODEL = "stories260K";

  private static String namespace;
  private static ScriptedLastStage stage;
  private static IngressServer open;
  private static IngressServer keyed;
  private static IngressServer strict;

  @BeforeAll
  static void start() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    namespace = SharedKafkaExtension.uniquePrefix("ingress");
    ScriptedLastStage.createTopics(bootstrap, namespace, RESULT_PARTITIONS);
    stage = new ScriptedLastStage(bootstrap, namespace, IngressHttpTest::script);
    IngressSettings base = IngressSettings.forModel(MODEL).withHost("127.0.0.1").withPort(0).withMaxBodyBytes(64 * 1024);
    open = IngressServer.start(base, bootstrap, namespace, new PrometheusRegistry());
    keyed = IngressServer.start(base.withApiKeys(Set.of("secret-key")), bootstrap, namespace, new PrometheusRegistry());
    strict = IngressServer.start(base.withMaxInFlight(1).withRequestTimeout(Duration.ofMillis(1500)), bootstrap, namespace, new PrometheusRegistry());
    for (IngressServer s : List.of(open, keyed, strict)) assertThat(s.awaitReady(Duration.ofSeconds(60))).isTrue();
    // Wait until the group settled: every results partition owned, each instance with one at least.
    await().atMost(Duration.ofSeconds(60)).until(() -> replyPartitionsOwned() == RESULT_PARTITIONS);
  }

  private static int replyPartitionsOwned() throws Exception {
    int owned = 0;
    for (IngressServer s : List.of(open, keyed, strict)) {
      int n = get(s, "/health", null).json().get("reply_partitions").size();
      if (n == 0) return -1;
      owned += n;
    }
    return owned;
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {open, keyed, strict, stage}) if (c != null) c.close();
  }

  private static List<ResultEvent> script(ScriptedLastStage.Received r) {
    String id = r.request().getRequestId();
    String prompt = r.request().getPrompt() == null ? "" : r.request().getPrompt();
    if (prompt.startsWith("fail:")) return List.of(ScriptedLastStage.error(id, 0, prompt.substring(5), "scripted failure"));
    if (prompt.equals("silent")) return List.of();
    return ScriptedLastStage.completion(id, List.of("Once", " upon", " a", " time"), 5, 3, r.request().getCreatedAtMs());
  }

  // ---- HTTP helpers ----------------------------------------------------------------------------

  record Answer(int status, String body, String contentType, String retryAfter) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  private static Answer post(IngressServer server, String path, String body, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) b.header("Authorization", "Bearer " + key);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("Retry-After").orElse(null));
  }

  private static Answer get(IngressServer server, String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET();
    if (key != null) b.header("Authorization", "Bearer " + key);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("Retry-After").orElse(null));
  }

  /** The payloads of an SSE body's {@code data:} lines, in order. */
  private static List<String> sseData(String body) {
    List<String> data = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (event.isBlank()) continue;
      if (event.startsWith("id: ")) event = event.substring(event.indexOf('\n') + 1);
      assertThat(event).startsWith("data: ");
      data.add(event.substring("data: ".length()));
    }
    return data;
  }

  /** The {@code id:} of each SSE event, in order (null for an event without one). */
  private static List<String> sseIds(String body) {
    List<String> ids = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (event.isBlank()) continue;
      ids.add(event.startsWith("id: ") ? event.substring(4, event.indexOf('\n')) : null);
    }
    return ids;
  }

  private static void assertOpenAiError(Answer a, int status, String code) throws Exception {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    JsonNode error = a.json().get("error");
    assertThat(error).as(a.body()).isNotNull();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.has("type") && error.has("param") && error.has("code")).isTrue();
    assertThat(error.get("code").asText()).isEqualTo(code);
  }

  // ---- completions -----------------------------------------------------------------------------

  @Test
  void shouldAnswerACompletionWithTextUsageAndCachedTokens() throws Exception {
    Answer a = post(open, "/v1/completions", "{\"model\":\"stories260K\",\"prompt\":\"Once\",\"max_tokens\":4,\"temperature\":0}", null);

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode json = a.json();
    assertThat(json.get("object").asText()).isEqualTo("text_completion");
    assertThat(json.get("id").asText()).startsWith("cmpl-");
    assertThat(json.get("model").asText()).isEqualTo(MODEL);
    assertThat(json.at("/choices/0/text").asText()).isEqualTo("Once upon a time");
    assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(5);
    assertThat(json.at("/usage/completion_tokens").asInt()).isEqualTo(4);
    assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(9);
    assertThat(json.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void shouldAnswerAChatCompletionAsTheAssistantMessage() throws Exception {
    Answer a = post(open, "/v1/chat/completions",
        "{\"model\":\"stories260K\",\"messages\":[{\"role\":\"system\",\"content\":\"Tell a story.\"},{\"role\":\"user\",\"content\":\"Once\"}]}", null);

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode json = a.json();
    assertThat(json.get("object").asText()).isEqualTo("chat.completion");
    assertThat(json.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("Once upon a time");
  }

  @Test
  void shouldStreamChatChunksWithEveryTokenOnceThenUsageThenDone() throws Exception {
    Answer a = post(open, "/v1/chat/completions", "{\"model\":\"stories260K\",\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Once\"}]}", null);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.contentType()).startsWith("text/event-stream");
    List<String> data = sseData(a.body());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) chunks.add(JSON.readTree(d));
    assertThat(chunks).allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk"));
    assertThat(chunks).extracting(c -> c.get("id").asText()).containsOnly(chunks.get(0).get("id").asText());
    StringBuilder content = new StringBuilder();
    for (JsonNode c : chunks) content.append(c.at("/choices/0/delta/content").asText(""));
    assertThat(content.toString()).isEqualTo("Once upon a time");
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks).hasSize(6); // 4 tokens, the finish chunk, the usage chunk
    assertThat(chunks.get(4).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(chunks.get(5).get("choices")).isEmpty();
    assertThat(chunks.get(5).at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void shouldStreamCompletionTextChunksEndingWithDone() throws Exception {
    Answer a = post(open, "/v1/completions", "{\"prompt\":\"Once\",\"stream\":true}", null);

    List<String> data = sseData(a.body());
    assertThat(data).last().isEqualTo("[DONE]");
    List<String> texts = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) texts.add(JSON.readTree(d).at("/choices/0/text").asText());
    assertThat(texts).containsExactly("Once", " upon", " a", " time", "");
    // every event of a result carries its index, so a client can resume after the last one it saw
    assertThat(sseIds(a.body())).containsExactly("0", "1", "2", "3", "4", null);
  }

  // ---- errors ----------------------------------------------------------------------------------

  @Test
  void shouldAnswer400ForMalformedJson() throws Exception {
    assertOpenAiError(post(open, "/v1/completions", "{\"prompt\": \"Once", null), 400, "invalid_request");
  }

  @Test
  void shouldAnswer400WithAnOpenAiErrorForChatMessagesTheSpecRejects() throws Exception {
    Map<String, String> cases = Map.of(
        "[{\"role\":\"wizard\",\"content\":\"Hi\"}]", "messages[0].role",
        "[{\"role\":\"user\",\"content\":null}]", "messages[0].content",
        "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"4\"}]",
        "messages[1].role");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Answer a = post(open, "/v1/chat/completions", "{\"messages\":" + c.getKey() + "}", null);
      assertOpenAiError(a, 400, "invalid_request");
      assertThat(a.json().at("/error/param").asText()).isEqualTo(c.getValue());
    }
  }

  @Test
  void shouldAnswer400NamingTheBadField() throws Exception {
    Answer a = post(open, "/v1/completions", "{\"prompt\":\"Once\",\"temperature\":\"hot\"}", null);
    assertOpenAiError(a, 400, "invalid_request");
    assertThat(a.json().at("/error/param").asText()).isEqualTo("temperature");

    Answer noMessages = post(open, "/v1/chat/completions", "{\"messages\":[]}", null);
    assertOpenAiError(noMessages, 400, "invalid_request");
    assertThat(noMessages.json().at("/error/param").asText()).isEqualTo("messages");
  }

  @Test
  void shouldAnswer404ForAnUnknownModel() throws Exception {
    Answer a = post(open, "/v1/completions", "{\"model\":\"gpt-9\",\"prompt\":\"Once\"}", null);
    assertOpenAiError(a, 404, "model_not_found");
    assertThat(a.json().at("/error/message").asText()).contains("gpt-9");
  }

  @Test
  void shouldAnswer413ForAnOversizedBody() throws Exception {
    String prompt = "a".repeat(100 * 1024);
    assertOpenAiError(post(open, "/v1/completions", "{\"prompt\":\"" + prompt + "\"}", null), 413, "too_large");
  }

  @Test
  void shouldAnswer401WithoutTheRightApiKey() throws Exception {
    String body = "{\"prompt\":\"Once\"}";
    assertOpenAiError(post(keyed, "/v1/completions", body, null), 401, "invalid_api_key");
    assertOpenAiError(post(keyed, "/v1/completions", body, "wrong"), 401, "invalid_api_key");
    assertOpenAiError(get(keyed, "/v1/models", null), 401, "invalid_api_key");
    assertThat(post(keyed, "/v1/completions", body, "secret-key").status()).isEqualTo(200);
    assertThat(get(keyed, "/health", null).status()).as("health stays open for probes").isEqualTo(200);
  }

  @Test
  void shouldMapErrorResultsToTheirHttpStatus() throws Exception {
    Map<String, Integer> expected = Map.of("invalid_request", 400, "model_not_found", 404, "too_large", 413,
        "no_workers", 503, "deadline_exceeded", 504, "internal", 500);
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      assertOpenAiError(post(open, "/v1/completions", "{\"prompt\":\"fail:" + e.getKey() + "\"}", null), e.getValue(), e.getKey());
      // Streaming holds the status line until the first result, so it gets the same answer.
      assertOpenAiError(post(open, "/v1/completions", "{\"stream\":true,\"prompt\":\"fail:" + e.getKey() + "\"}", null), e.getValue(), e.getKey());
    }
  }

  @Test
  void shouldAnswer504WhenNoResultArrivesBeforeTheDeadline() throws Exception {
    assertOpenAiError(post(strict, "/v1/completions", "{\"prompt\":\"silent\"}", null), 504, "deadline_exceeded");
  }

  @Test
  void shouldAnswer429WhenTooManyRequestsAreInFlight() throws Exception {
    CompletableFuture<Answer> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return post(strict, "/v1/completions", "{\"prompt\":\"silent\"}", null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> get(strict, "/health", null).json().get("in_flight").asInt() == 1);

    Answer refused = post(strict, "/v1/completions", "{\"prompt\":\"Once\"}", null);
    assertOpenAiError(refused, 429, "too_many_requests");
    assertThat(refused.retryAfter()).isEqualTo("1");
    assertThat(waiting.get().status()).isEqualTo(504);
  }

  @Test
  void shouldServeSequentialRequestsThroughKafkaAndPrintTheRoundTrip() throws Exception {
    int n = 200;
    long[] millis = new long[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      Answer a = post(open, "/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":4}", null);
      millis[i] = (System.nanoTime() - start) / 1_000;
      assertThat(a.status()).isEqualTo(200);
    }
    java.util.Arrays.sort(millis);
    // A figure, not an assertion: HTTP -> requests topic -> scripted stage -> results topic -> HTTP.
    System.out.printf("ingress round trip over Kafka (%d sequential requests, 5 results each): p50 %.1f ms, p99 %.1f ms%n",
        n, millis[n / 2] / 1000.0, millis[n * 99 / 100] / 1000.0);
  }

  // ---- models, workers, health, metrics --------------------------------------------------------

  @Test
  void shouldListTheServedModelAndTheWorkersFromHeartbeats() throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    try (KafkaProducer<String, WorkerStatus> producer =
        new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.workerStatus().serializer())) {
      WorkerStatus status = WorkerStatus.newBuilder().setWorkerId("worker-s1-a").setHost("box").setStage(1)
          .setLayerStart(3).setLayerEnd(5).setLanes(List.of(0, 1)).setQueueDepth(2).setActiveSequences(1)
          .setKvBlocksUsed(10).setKvBlocksCapacity(100).setKvHits(3).setKvMisses(1).setRequestsServed(42)
          .setState(WorkerState.READY).setModel(MODEL).setTimestampMs(System.currentTimeMillis()).build();
      producer.send(new ProducerRecord<>(new SluiceTopics(namespace).workers().name(), status.getWorkerId(), status)).get();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> workerNamed(get(open, "/workers", null).json(), "worker-s1-a") != null);
    JsonNode worker = workerNamed(get(open, "/workers", null).json(), "worker-s1-a");
    assertThat(worker.get("worker_id").asText()).isEqualTo("worker-s1-a");
    assertThat(worker.get("stage").asInt()).isEqualTo(1);
    assertThat(worker.get("layers").asText()).isEqualTo("3-4");
    assertThat(worker.get("lanes").toString()).isEqualTo("[0,1]");
    assertThat(worker.get("health").asText()).isEqualTo("healthy");
    assertThat(worker.at("/load/queue_depth").asInt()).isEqualTo(2);
    assertThat(worker.at("/cache/block_hit_rate").asDouble()).isEqualTo(0.75);
    assertThat(worker.get("requests_served").asInt()).isEqualTo(42);

    JsonNode models = get(open, "/v1/models", null).json();
    assertThat(models.get("object").asText()).isEqualTo("list");
    assertThat(models.get("data")).extracting(m -> m.get("id").asText()).containsExactly(MODEL);
  }

  private static JsonNode workerNamed(JsonNode list, String id) {
    for (JsonNode w : list.get("workers")) if (w.get("worker_id").asText().equals(id)) return w;
    return null;
  }

  @Test
  void shouldReportHealthAndRequestMetrics() throws Exception {
    Answer health = get(open, "/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");
    post(open, "/v1/completions", "{\"prompt\":\"Once\"}", null);

    Answer metrics = get(open, "/metrics", null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("sluice_ingress_requests_total{endpoint=\"completions\",status=\"200\"}")
        .contains("sluice_ingress_ttft_seconds_bucket")
        .contains("sluice_ingress_latency_seconds_count{endpoint=\"completions\"}")
        .contains("sluice_ingress_tokens_total{kind=\"cached\"}");
  }
}
