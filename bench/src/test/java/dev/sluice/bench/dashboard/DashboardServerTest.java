package dev.sluice.bench.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard against a real broker: heartbeats, stage records and committed offsets are written
 * first, then the server must report exactly those workers, hit rates and lags.
 */
@ExtendWith(SharedKafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private String namespace;
  private String bootstrap;
  private KafkaProducer<String, byte[]> producer;
  private DashboardServer server;
  private long startMs;

  @BeforeAll
  void writeTheClusterStateThenStartTheDashboard() throws Exception {
    namespace = SharedKafkaExtension.uniquePrefix("dash");
    bootstrap = SharedKafkaExtension.bootstrapServers();
    TopicLayout layout = TopicLayout.defaults().withNamespace(namespace).withStages(2).withLanes(4);
    try (TopicAdmin topics = TopicAdmin.connect(bootstrap)) {
      topics.create(layout);
    }
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new StringSerializer(), new ByteArraySerializer());
    startMs = System.currentTimeMillis();

    heartbeat(status("w-a", 0, 0, 3, List.of(0, 1), 30, 10, 100, startMs - 1000), startMs - 1000);
    heartbeat(status("w-b", 0, 0, 3, List.of(2, 3), 0, 0, 0, startMs), startMs);
    heartbeat(status("w-c", 1, 3, 5, List.of(0, 1, 2, 3), 10, 10, 50, startMs), startMs);
    // Silent for a minute: stale, its lanes and cache figures do not count.
    heartbeat(status("w-old", 1, 3, 5, List.of(0), 1000, 0, 9000, startMs - 60_000), startMs - 60_000);

    // stage-0 lanes hold 5, 3, 2, 0 records; the group committed 2 on lane 0 and 3 on lane 1.
    int[] records = {5, 3, 2, 0};
    for (int lane = 0; lane < records.length; lane++) {
      for (int i = 0; i < records[lane]; i++) send(layout.stage(0), lane, "r" + lane + "-" + i);
    }
    for (int i = 0; i < 2; i++) send(layout.requests(), 0, "q" + i);
    for (int i = 0; i < 4; i++) send(layout.results(), i % 2, "done" + i);
    send(layout.dlq(), 0, "unreadable");
    producer.flush();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.alterConsumerGroupOffsets(namespace + ".stage-0", Map.of(
          new TopicPartition(layout.stage(0), 0), new OffsetAndMetadata(2),
          new TopicPartition(layout.stage(0), 1), new OffsetAndMetadata(3))).all().get();
    }

    server = DashboardServer.start("127.0.0.1", 0, bootstrap, namespace, Map.of());
  }

  @AfterAll
  void stop() {
    if (server != null) server.close();
    if (producer != null) producer.close();
  }

  @Test
  void shouldReportTheExactLagPerLaneStageRouterResultsAndDlq() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode s = snapshot();
      JsonNode stage0 = s.path("stages").path(0);
      assertThat(stage0.path("topic").asText()).isEqualTo(namespace + ".stage-0");
      assertThat(stage0.path("group").asText()).isEqualTo(namespace + ".stage-0");
      // lane 2 has no commit: the group starts from the earliest offset, so both records wait.
      assertThat(longs(stage0.path("laneLag"))).containsExactly(3L, 0L, 2L, 0L);
      assertThat(stage0.path("lag").asLong()).isEqualTo(5);
      assertThat(s.path("stages").path(1).path("lag").asLong()).isZero();
      assertThat(s.path("stages")).hasSize(2);
      assertThat(s.path("totals").path("totalLag").asLong()).isEqualTo(5);
      assertThat(s.path("router").path("group").asText()).isEqualTo(namespace + ".router");
      assertThat(s.path("router").path("lag").asLong()).isEqualTo(2);
      assertThat(s.path("results").path("records").asLong()).isEqualTo(4);
      assertThat(s.path("results").path("dlqSize").asLong()).isEqualTo(1);
    });
  }

  @Test
  void shouldListWorkersWithInclusiveLayersHitRatesAndLaneOwners() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode s = snapshot();
      assertThat(s.path("totals").path("liveWorkers").asInt()).isEqualTo(3);
      assertThat(s.path("totals").path("staleWorkers").asInt()).isEqualTo(1);
      // Live workers only: (30 + 0 + 10) / (40 + 0 + 20); the stale worker's 1000 hits are left out.
      assertThat(s.path("totals").path("hitRate").asDouble()).isEqualTo(40.0 / 60.0);

      JsonNode stage0 = s.path("stages").path(0);
      JsonNode a = stage0.path("workers").path(0);
      assertThat(a.path("id").asText()).isEqualTo("w-a");
      assertThat(a.path("layers").asText()).isEqualTo("0-2");
      assertThat(a.path("hitRate").asDouble()).isEqualTo(0.75);
      assertThat(a.path("kvBlocksUsed").asLong()).isEqualTo(7);
      assertThat(a.path("kvBlocksCapacity").asLong()).isEqualTo(64);
      assertThat(a.path("stale").asBoolean()).isFalse();
      JsonNode b = stage0.path("workers").path(1);
      assertThat(b.path("id").asText()).isEqualTo("w-b");
      assertThat(b.path("hitRate").isNull()).as("no lookups yet").isTrue();
      assertThat(texts(stage0.path("laneOwner"))).containsExactly("w-a", "w-a", "w-b", "w-b");

      JsonNode stage1 = s.path("stages").path(1);
      assertThat(texts(stage1.path("workers"), "id")).containsExactly("w-c", "w-old");
      assertThat(stage1.path("workers").path(0).path("layers").asText()).isEqualTo("3-4");
      assertThat(stage1.path("workers").path(1).path("stale").asBoolean()).isTrue();
      assertThat(texts(stage1.path("laneOwner"))).containsExactly("w-c", "w-c", "w-c", "w-c");
    });
  }

  @Test
  void shouldDeriveTokensPerSecondFromSuccessiveHeartbeats() throws Exception {
    // w-a's first heartbeat (100 tokens, one second ago) must be seen before the next one arrives.
    await().atMost(Duration.ofSeconds(30)).until(() -> worker(snapshot(), "w-a") != null);
    // 400 more tokens over two seconds of the worker's clock.
    heartbeat(status("w-a", 0, 0, 3, List.of(0, 1), 30, 10, 500, startMs + 1000), System.currentTimeMillis());
    producer.flush();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode s = snapshot();
      assertThat(worker(s, "w-a").path("tokensPerSecond").asDouble()).isEqualTo(200.0);
      assertThat(s.path("stages").path(0).path("tokensPerSecond").asDouble()).isEqualTo(200.0);
      assertThat(s.path("totals").path("tokensPerSecond").asDouble()).isEqualTo(200.0);
      assertThat(s.path("history")).isNotEmpty();
    });
  }

  @Test
  void shouldServeASelfContainedPageThatPollsTheSnapshot() throws Exception {
    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.body()).contains("<title>Sluice dashboard</title>", "api/snapshot", "setInterval(poll, 1000)");
    assertThat(page.body()).doesNotContain("http://", "https://", "<link", "@import", "url(");
    assertThat(Pattern.compile("(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(page.body()).find())
        .as("no element loads anything from elsewhere").isFalse();
  }

  private JsonNode snapshot() throws Exception {
    HttpResponse<String> response = get("/api/snapshot");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static JsonNode worker(JsonNode snapshot, String id) {
    for (JsonNode stage : snapshot.path("stages")) {
      for (JsonNode w : stage.path("workers")) if (w.path("id").asText().equals(id)) return w;
    }
    return null;
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.isNull() ? null : n.asText()));
    return out;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }

  private void heartbeat(WorkerStatus status, long recordTimestampMs) throws Exception {
    byte[] value = SluiceSerdes.workerStatus().serializer().serialize(namespace + ".workers", status);
    sent(new ProducerRecord<>(namespace + ".workers", 0, recordTimestampMs, status.getWorkerId(), value));
  }

  private void send(String topic, int partition, String key) throws Exception {
    sent(new ProducerRecord<>(topic, partition, key, key.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * One record at a time, acknowledged before the next: the state the assertions expect is all
   * written, and a failed send fails the setup at once, not as three 30-second timeouts later (one
   * CI run lost a batch to an OutOfOrderSequenceException with several batches in flight).
   */
  private void sent(ProducerRecord<String, byte[]> record) throws Exception {
    producer.send(record).get(30, TimeUnit.SECONDS);
  }

  private static WorkerStatus status(String id, int stage, int layerStart, int layerEnd, List<Integer> lanes,
      long hits, long misses, long tokens, long timestampMs) {
    return WorkerStatus.newBuilder().setWorkerId(id).setHost("host-" + id).setStage(stage)
        .setLayerStart(layerStart).setLayerEnd(layerEnd).setLanes(lanes).setQueueDepth(2).setActiveSequences(1)
        .setKvBlocksUsed(7).setKvBlocksCapacity(64).setKvHits(hits).setKvMisses(misses).setKvEvictions(0)
        .setTokensProcessed(tokens).setRequestsServed(3).setState(WorkerState.READY).setModel("stories260K")
        .setTimestampMs(timestampMs).build();
  }
}
