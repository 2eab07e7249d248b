package dev.sluice.e2e.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.e2e.fixture.ChildRoles;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.embedded.process.RoleProcess;
import dev.sluice.ingress.IngressServer;
import dev.sluice.ingress.IngressSettings;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterService;
import dev.sluice.router.RouterSettings;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream resumed on another ingress instance: the first instance runs as a child JVM
 * ({@code sluice ingress}) and is killed with kill -9 in the middle of a 200-token stream; the client
 * reconnects to the second instance with {@code Last-Event-ID} and must get the rest — every result
 * index once, none missing, the text the pipeline wrote to the results topic.
 */
@ExtendWith(SharedKafkaExtension.class)
class StreamResumeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TOKENS = 200;

  /** One SSE event: its id (null when it has none) and data. */
  record Event(Integer id, String data) {}

  @Test
  void shouldResumeAStreamOnAnotherIngressAfterTheFirstIsKilled(@TempDir Path dir) throws Exception {
    Path model = ModelLocator.embeddedModel();
    assumeTrue(model != null, "shared stories260K model missing — skipping");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = SharedKafkaExtension.uniquePrefix("resume");
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(2).withLanes(2).withResultsPartitions(4));
    }
    List<StageWorker> workers = new ArrayList<>();
    try (TextTokenizer tokenizer = Tokenizers.load(model);
        RouterService router = RouterService.start(RouterSettings.defaults("stories260K").withLanes(2)
            .withDataDir(dir.resolve("router")), bootstrap, namespace, tokenizer::encode, Map.of(),
            new RouterMetrics(new PrometheusRegistry()));
        RoleProcess first = ChildRoles.ingress(dir.resolve("ingress-a"), "--bootstrap-servers", bootstrap,
            "--prefix", namespace);
        IngressServer second = IngressServer.start(IngressSettings.forModel("stories260K").withHost("127.0.0.1")
            .withPort(0), bootstrap, namespace, new PrometheusRegistry())) {
      String[] layers = {"0-2", "3-4"};
      for (int stage = 0; stage < 2; stage++) {
        workers.add(StageWorker.start(WorkerSettings.of(stage, LayerRange.parse(layers[stage]), model, bootstrap, namespace)
            .withWorkerId(namespace + "-w" + stage).withDataDir(dir.resolve("w" + stage)).withKvCacheMb(16),
            new PrometheusRegistry()));
      }
      try {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
            .until(() -> router.isReady() && second.isReady() && workers.stream().allMatch(StageWorker::isReady)
                && first.ingressPort() > 0 && health(first.ingressPort()) == 200);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("not ready: router " + router.isReady() + ", second ingress " + second.isReady()
            + ", workers " + workers.stream().map(StageWorker::isReady).toList() + ", first ingress port "
            + first.ingressPort() + " health " + health(first.ingressPort()) + "; its output:\n" + first.output(), e);
      }

      List<Event> before = new ArrayList<>();
      String requestId;
      try (Socket socket = new Socket("127.0.0.1", first.ingressPort())) {
        String body = "{\"model\":\"stories260K\",\"stream\":true,\"max_tokens\":" + MAX_TOKENS
            + ",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}";
        send(socket, body);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        while (!in.readLine().isEmpty()) {
          // status line and headers
        }
        while (before.size() < 5) {
          before.add(readEvent(in));
        }
        requestId = JSON.readTree(before.get(0).data()).get("id").asText().substring("chatcmpl-".length());
        first.kill(); // mid-stream: the client's connection breaks
      }
      int last = before.get(before.size() - 1).id();

      HttpResponse<String> resumed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + second.port() + "/v1/requests/chatcmpl-" + requestId + "/stream"))
          .header("Last-Event-ID", String.valueOf(last)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(resumed.statusCode()).isEqualTo(200);
      List<Event> after = parse(resumed.body());
      assertThat(after).last().extracting(Event::data).isEqualTo("[DONE]");

      List<Integer> ids = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (Event e : concat(before, after)) {
        if (e.id() == null || e.data().equals("[DONE]")) continue;
        ids.add(e.id());
        text.append(JSON.readTree(e.data()).at("/choices/0/delta/content").asText(""));
      }
      ResultEvent done = terminal(namespace, requestId);
      System.out.printf("resumed stream: %d events before the kill, %d after, DONE index %d%n", before.size(),
          after.size(), done.getIndex());
      assertThat(ids).as("every result index once, in order").isEqualTo(range(done.getIndex() + 1));
      assertThat(text.toString()).isEqualTo(done.getText().toString());
      assertThat(after.size()).as("the rest came after the kill").isGreaterThan(2);
    } finally {
      workers.forEach(StageWorker::close);
    }
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(i);
    return out;
  }

  private static List<Event> concat(List<Event> a, List<Event> b) {
    List<Event> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static int health(int port) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void send(Socket socket, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** The next event of a chunked SSE body read line by line (chunk-size lines are skipped). */
  private static Event readEvent(BufferedReader in) throws Exception {
    Integer id = null;
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("id: ")) id = Integer.valueOf(line.substring(4));
      if (line.startsWith("data: ")) return new Event(id, line.substring(6));
    }
    throw new IllegalStateException("the stream ended");
  }

  private static List<Event> parse(String body) {
    List<Event> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      Integer id = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("id: ")) id = Integer.valueOf(line.substring(4));
        if (line.startsWith("data: ")) data = line.substring(6);
      }
      if (data != null) events.add(new Event(id, data));
    }
    return events;
  }

  /** The request's DONE as a plain consumer of the results topic reads it. */
  private static ResultEvent terminal(String namespace, String requestId) {
    String topic = new SluiceTopics(namespace).results().name();
    try (KafkaConsumer<String, ResultEvent> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers()), new StringDeserializer(),
        SluiceSerdes.resultEvent().deserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      List<ResultEvent> terminals = new ArrayList<>();
      // read to the end of every partition, so that a second terminal event would be seen too
      await("the terminal event of " + requestId).atMost(Duration.ofSeconds(10)).pollInSameThread()
          .pollInterval(Duration.ofMillis(10)).until(() -> {
            for (ConsumerRecord<String, ResultEvent> r : consumer.poll(Duration.ofMillis(200))) {
              if (requestId.equals(r.key()) && r.value().getKind() != ResultKind.TOKEN) terminals.add(r.value());
            }
            return !terminals.isEmpty()
                && parts.stream().allMatch(tp -> consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp));
          });
      assertThat(terminals).as("terminal events of " + requestId).hasSize(1);
      return terminals.get(0);
    }
  }
}
