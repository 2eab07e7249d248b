package dev.sluice.router;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.request;
import static dev.sluice.router.Fixtures.sharedPrefix;
import static dev.sluice.router.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.router.topology.RouterTopology;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.serde.SluiceHeaders;
import java.nio.charset.StandardCharsets;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.schemas.topic.Topic;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Routers on the real in-process broker. */
@ExtendWith(SharedKafkaExtension.class)
class RouterServiceKafkaTest {
  private static final int LANES = 4;
  private static final int REQUEST_PARTITIONS = 4;

  @TempDir Path dir;

  private final String bootstrap = SharedKafkaExtension.bootstrapServers();

  private SluiceTopics createTopics(String namespace) {
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(LANES)
          .withRequestsPartitions(REQUEST_PARTITIONS).withResultsPartitions(2));
    }
    return new SluiceTopics(namespace);
  }

  private RouterSettings settings(String instance) {
    // Heartbeats are produced once, so they must not go stale during the test.
    return RouterSettings.defaults(MODEL).withLanes(LANES).withDataDir(dir.resolve(instance))
        // Requests that cost no work: these tests are about placement, not about load.
        .withTimes(600_000, 10_000, 200, 0)
        .withCacheAware(new dev.sluice.router.policy.CacheAwareParams(1.0, 4.0, 1e9, 0, 3.0, 0, 0.1));
  }

  private RouterService router(String instance, RouterMetrics metrics, String namespace) {
    return RouterService.start(settings(instance), bootstrap, namespace, null, Map.of(), metrics);
  }

  private void heartbeats(SluiceTopics topics) {
    try (var producer = producer(topics.workers())) {
      for (int lane = 0; lane < LANES; lane++) {
        WorkerStatus w = worker("w" + lane, 0, List.of(lane), 0, System.currentTimeMillis());
        producer.send(new ProducerRecord<>(topics.workers().name(), w.getWorkerId(), w));
      }
    }
  }

  /** Sends one request of the family to each requests partition, so every router instance receives some. */
  private void sendFamily(SluiceTopics topics, String idPrefix, int tailSeed) {
    try (var producer = producer(topics.requests())) {
      for (int p = 0; p < REQUEST_PARTITIONS; p++) {
        InferenceRequest r = request(idPrefix + p, sharedPrefix(42, 32, tailSeed + p, 40 + p));
        producer.send(new ProducerRecord<>(topics.requests().name(), p, null, r));
      }
    }
  }

  private List<ConsumerRecord<String, StageWork>> readStage0(SluiceTopics topics, int count) {
    List<ConsumerRecord<String, StageWork>> out = new ArrayList<>();
    try (var consumer = consumer(topics.stage(0))) {
      List<TopicPartition> lanes = IntStream.range(0, LANES).mapToObj(l -> new TopicPartition(topics.stage(0).name(), l)).toList();
      consumer.assign(lanes);
      consumer.seekToBeginning(lanes);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        return out.size() >= count;
      });
    }
    return out;
  }

  private Properties producerProps() {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("linger.ms", 0);
    return props;
  }

  private static boolean receivesRequests(RouterService router, String admissionSubtopology) {
    return router.activeTasks().stream().anyMatch(task -> task.startsWith(admissionSubtopology + "_"));
  }

  /** Id of the sub-topology that reads the requests topic (task ids start with it). */
  private String admissionSubtopology(SluiceTopics topics) {
    RouterSettings describe = settings("describe");
    return RouterTopology.build(topics, describe, null, new RouterMetrics(new PrometheusRegistry()),
            RouterTopology.inFlightWork(describe), new dev.sluice.topics.cluster.ClusterView(java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(5)), 1)
        .describe().subtopologies().stream()
        .filter(st -> st.nodes().stream().anyMatch(n -> n instanceof TopologyDescription.Source src
            && src.topicSet() != null && src.topicSet().contains(topics.requests().name())))
        .map(st -> Integer.toString(st.id())).findFirst().orElseThrow();
  }

  @Test
  void shouldRouteSamePrefixToSameLaneWhicheverInstanceReceivesIt() throws Exception {
    SluiceTopics topics = createTopics(SharedKafkaExtension.uniquePrefix("router-two"));
    heartbeats(topics);
    RouterMetrics metricsA = new RouterMetrics(new PrometheusRegistry());
    RouterMetrics metricsB = new RouterMetrics(new PrometheusRegistry());
    try (RouterService a = router("a", metricsA, topics.namespace()); RouterService b = router("b", metricsB, topics.namespace())) {
      String admission = admissionSubtopology(topics);
      await().atMost(Duration.ofSeconds(60)).until(() -> a.isReady() && b.isReady()
          && receivesRequests(a, admission) && receivesRequests(b, admission));
      sendFamily(topics, "req-", 1000);

      List<ConsumerRecord<String, StageWork>> chunks = readStage0(topics, REQUEST_PARTITIONS);
      assertThat(chunks).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("req-0", "req-1", "req-2", "req-3");
      int lane = chunks.get(0).value().getLane();
      assertThat(chunks).allSatisfy(c -> {
        assertThat(c.value().getLane()).isEqualTo(lane);
        assertThat(c.partition()).as("stage-0 partition = lane").isEqualTo(lane);
      });
    }
  }

  @Test
  void shouldResumeWithTheRoutingIndexAfterRestart() throws Exception {
    SluiceTopics topics = createTopics(SharedKafkaExtension.uniquePrefix("router-restart"));
    heartbeats(topics);
    int firstLane;
    try (RouterService first = router("first", new RouterMetrics(new PrometheusRegistry()), topics.namespace())) {
      await().atMost(Duration.ofSeconds(60)).until(first::isReady);
      sendFamily(topics, "before-", 2000);
      firstLane = readStage0(topics, REQUEST_PARTITIONS).get(0).value().getLane();
    }
    // A new instance with an empty state directory: the index can only come from the changelog.
    RouterMetrics metrics = new RouterMetrics(new PrometheusRegistry());
    try (RouterService second = router("second", metrics, topics.namespace())) {
      await().atMost(Duration.ofSeconds(60)).until(second::isReady);
      sendFamily(topics, "after-", 3000);
      List<ConsumerRecord<String, StageWork>> all = readStage0(topics, 2 * REQUEST_PARTITIONS);
      assertThat(all).filteredOn(c -> c.key().startsWith("after-")).hasSize(REQUEST_PARTITIONS)
          .allSatisfy(c -> assertThat(c.value().getLane()).isEqualTo(firstLane));
      assertThat(metrics.decisions("cache_aware", "affinity_hit")).as("the restored index knew the family").isEqualTo(REQUEST_PARTITIONS);
    }
  }

  @Test
  void shouldAnswerOnTheReplyPartitionAndRouteAStreamOfRequests() throws Exception {
    SluiceTopics topics = createTopics(SharedKafkaExtension.uniquePrefix("router-stream"));
    heartbeats(topics);
    try (RouterService router = router("single", new RouterMetrics(new PrometheusRegistry()), topics.namespace());
         var producer = producer(topics.requests());
         var results = consumer(topics.results());
         var stage0 = consumer(topics.stage(0))) {
      await().atMost(Duration.ofSeconds(60)).until(router::isReady);
      TopicPartition reply = readReplyPartition(results, topics);
      List<TopicPartition> lanes = IntStream.range(0, LANES).mapToObj(l -> new TopicPartition(topics.stage(0).name(), l)).toList();
      stage0.assign(lanes);
      stage0.seekToEnd(lanes);
      lanes.forEach(stage0::position);

      InferenceRequest invalid = request("bad", sharedPrefix(1, 16, 2, 20));
      invalid.setMaxTokens(0);
      var record = new ProducerRecord<String, InferenceRequest>(topics.requests().name(), null, invalid);
      record.headers().add(SluiceHeaders.REPLY_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
      producer.send(record).get();
      List<ResultEvent> errors = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        results.poll(Duration.ofMillis(100)).forEach(r -> errors.add(r.value()));
        return !errors.isEmpty();
      });
      assertThat(errors).singleElement().satisfies(e -> {
        assertThat(e.getRequestId()).isEqualTo("bad");
        assertThat(e.getErrorCode()).isEqualTo("invalid_request");
      });

      // One request at a time, each timed from send to its stage-0 record: the router's added latency.
      int n = 200;
      long[] micros = new long[n];
      for (int i = 0; i < n; i++) {
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(topics.requests().name(), request("s" + i, sharedPrefix(i % 10, 32, i, 48)))).get();
        String id = "s" + i;
        boolean seen = false;
        while (!seen) {
          for (var r : stage0.poll(Duration.ofMillis(5))) seen |= r.key().equals(id);
          assertThat(System.nanoTime() - start).as("request %s routed within 30 s", id).isLessThan(30_000_000_000L);
        }
        micros[i] = (System.nanoTime() - start) / 1_000;
      }
      java.util.Arrays.sort(micros);
      System.out.printf("router: request -> stage-0 record, %d sequential requests on the local broker: p50 %.1f ms, p99 %.1f ms%n",
          n, micros[n / 2] / 1000.0, micros[(int) (n * 0.99)] / 1000.0);
    }
  }

  @Test
  void shouldEndAnInFlightRequestWithOneErrorWhenItsStageLosesEveryWorkerAndIgnoreALateDone() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("router-stage-lost");
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(2).withLanes(LANES)
          .withRequestsPartitions(REQUEST_PARTITIONS).withResultsPartitions(2));
    }
    SluiceTopics topics = new SluiceTopics(namespace);
    RouterSettings settings = RouterSettings.defaults(MODEL).withLanes(LANES).withDataDir(dir.resolve("stage-lost"))
        .withTimes(2_000, 10_000, 200, 0);
    var beats = producer(topics.workers());
    java.util.concurrent.atomic.AtomicBoolean stage1Alive = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicLong stage1LastBeat = new java.util.concurrent.atomic.AtomicLong();
    var beating = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    beating.scheduleAtFixedRate(() -> {
      long now = System.currentTimeMillis();
      beats.send(new ProducerRecord<>(topics.workers().name(), "s0", worker("s0", 0, List.of(0, 1, 2, 3), 0, now)));
      if (stage1Alive.get()) {
        beats.send(new ProducerRecord<>(topics.workers().name(), "s1", worker("s1", 1, List.of(0, 1, 2, 3), 0, now)));
        stage1LastBeat.set(now);
      }
    }, 0, 300, java.util.concurrent.TimeUnit.MILLISECONDS);
    try (RouterService router = RouterService.start(settings, bootstrap, namespace, null, Map.of(), new RouterMetrics(new PrometheusRegistry()));
         var producer = producer(topics.requests());
         var lateWorker = producer(topics.results());
         var results = consumer(topics.results())) {
      await().atMost(Duration.ofSeconds(60)).until(router::isReady);
      TopicPartition reply = readReplyPartition(results, topics);

      var record = new ProducerRecord<String, InferenceRequest>(topics.requests().name(), null, request("stranded", sharedPrefix(3, 16, 4, 40)));
      record.headers().add(SluiceHeaders.REPLY_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
      producer.send(record).get();
      assertThat(readStage0(topics, 1)).extracting(ConsumerRecord::key).containsExactly("stranded");

      stage1Alive.set(false); // stage 1's only worker dies; nobody finishes the request
      List<ResultEvent> seen = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        results.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
        return !seen.isEmpty();
      });
      long afterLastBeatMs = System.currentTimeMillis() - stage1LastBeat.get();
      System.out.printf("router: in-flight request ended %d ms after stage 1's last heartbeat (stale after 2000 ms)%n", afterLastBeatMs);
      assertThat(seen).singleElement().satisfies(e -> {
        assertThat(e.getRequestId()).isEqualTo("stranded");
        assertThat(e.getKind()).isEqualTo(dev.sluice.schemas.ResultKind.ERROR);
        assertThat(e.getErrorCode()).isEqualTo("no_workers");
        assertThat(e.getErrorMessage()).contains("stage 1");
      });

      // A stage-1 worker comes back and finishes the request from Kafka: TOKEN 0 and DONE 1, too late.
      stage1Alive.set(true);
      for (ResultEvent late : List.of(
          ResultEvent.newBuilder().setRequestId("stranded").setIndex(0).setKind(dev.sluice.schemas.ResultKind.TOKEN)
              .setTokenIds(List.of(7)).setText("x").setAtMs(System.currentTimeMillis()).build(),
          ResultEvent.newBuilder().setRequestId("stranded").setIndex(1).setKind(dev.sluice.schemas.ResultKind.DONE)
              .setFinishReason(dev.sluice.schemas.FinishReason.STOP).setText("x").setAtMs(System.currentTimeMillis()).build())) {
        lateWorker.send(new ProducerRecord<>(reply.topic(), reply.partition(), "stranded", late)).get();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        results.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
        return seen.size() >= 3;
      });
      // What every results reader does with them: one completion, the router's ERROR.
      var assembler = new dev.sluice.results.CompletionAssembler();
      List<dev.sluice.results.Completion> completions = new ArrayList<>();
      for (ResultEvent e : seen) {
        var released = assembler.accept(e);
        if (released.completion() != null) completions.add(released.completion());
      }
      assertThat(completions).singleElement().satisfies(c -> assertThat(c.errorCode()).isEqualTo("no_workers"));
    } finally {
      beating.shutdownNow();
      beats.close();
    }
  }

  @Test
  void shouldAnswerUnreadableRequestsAndRoutePastAHugePrompt() throws Exception {
    Path shared = Fixtures.sharedDir();
    org.junit.jupiter.api.Assumptions.assumeTrue(shared != null, "shared stories260K model missing — skipping");
    SluiceTopics topics = createTopics(SharedKafkaExtension.uniquePrefix("router-admission"));
    heartbeats(topics);
    Properties big = producerProps();
    big.put("max.request.size", 8 * 1024 * 1024);
    try (var tokenizer = dev.sluice.model.tokenizer.Tokenizers.load(shared.resolve("models/stories260K"));
         RouterService router = RouterService.start(settings("admission"), bootstrap, topics.namespace(), tokenizer::encode,
             Map.of(), new RouterMetrics(new PrometheusRegistry()));
         var producer = new KafkaProducer<>(big, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
         var results = consumer(topics.results());
         var dlq = consumer(topics.dlq());
         var stage0 = consumer(topics.stage(0))) {
      await().atMost(Duration.ofSeconds(60)).until(router::isReady);
      TopicPartition reply = readReplyPartition(results, topics);
      dlq.assign(List.of(new TopicPartition(topics.dlq().name(), 0)));
      dlq.seekToBeginning(dlq.assignment());
      List<TopicPartition> lanes = IntStream.range(0, LANES).mapToObj(l -> new TopicPartition(topics.stage(0).name(), l)).toList();
      stage0.assign(lanes);
      stage0.seekToBeginning(lanes);

      String huge = "{\"requestId\": \"huge\", \"prompt\": \"" + "Once upon a time there was a dog. ".repeat(150_000) + "\"}";
      producer.send(withReplyPartition(topics, huge.getBytes(StandardCharsets.UTF_8))).get(); // 5.1 MB
      long sentAt = System.nanoTime();
      producer.send(withReplyPartition(topics, "{\"requestId\": \"next\", \"prompt\": \"Once upon a time\"}"
          .getBytes(StandardCharsets.UTF_8))).get();
      producer.send(withReplyPartition(topics, "{\"requestId\": \"typed\", \"prompt\": \"Hi\", \"maxTokens\": \"8\"}"
          .getBytes(StandardCharsets.UTF_8))).get();
      producer.send(new ProducerRecord<>(topics.requests().name(), "gone", null)).get(); // a tombstone

      List<String> routed = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        stage0.poll(Duration.ofMillis(20)).forEach(r -> routed.add(r.key()));
        return routed.contains("next");
      });
      long routedAfterMs = (System.nanoTime() - sentAt) / 1_000_000;
      List<ResultEvent> errors = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        results.poll(Duration.ofMillis(100)).forEach(r -> errors.add(r.value()));
        return errors.size() >= 2;
      });
      List<String> reasons = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        dlq.poll(Duration.ofMillis(100)).forEach(r -> reasons.add(SluiceHeaders.get(r.headers(), SluiceHeaders.DLQ_REASON)));
        return !reasons.isEmpty();
      });

      System.out.printf("router: a request behind a 5 MB prompt was routed %d ms after it was sent%n", routedAfterMs);
      assertThat(routedAfterMs).as("ms to route a request sent behind a 5 MB prompt").isLessThan(2_000);
      assertThat(errors).extracting(ResultEvent::getRequestId).containsExactly("huge", "typed");
      assertThat(errors.get(0).getErrorCode()).isEqualTo("too_large");
      assertThat(errors.get(1).getErrorCode()).isEqualTo("invalid_request");
      assertThat(errors.get(1).getErrorMessage()).contains("'maxTokens' must be an integer");
      assertThat(reasons).singleElement().asString().contains("tombstone");
    }
  }

  private static ProducerRecord<String, byte[]> withReplyPartition(SluiceTopics topics, byte[] json) {
    var record = new ProducerRecord<String, byte[]>(topics.requests().name(), 0, null, json);
    record.headers().add(SluiceHeaders.REPLY_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
    return record;
  }

  /** A producer of the topic's records, with the registry's serdes. */
  private <K, V> KafkaProducer<K, V> producer(Topic<K, V> topic) {
    return new KafkaProducer<>(producerProps(), topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /** A consumer of the topic's records, with the registry's serdes. */
  private <K, V> KafkaConsumer<K, V> consumer(Topic<K, V> topic) {
    return new KafkaConsumer<>(consumerProps(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }

  /** Assigns reply partition 1 of the results topic, from its beginning (a fresh topic: only this test's results). */
  private static TopicPartition readReplyPartition(KafkaConsumer<?, ?> results, SluiceTopics topics) {
    TopicPartition reply = new TopicPartition(topics.results().name(), 1);
    results.assign(List.of(reply));
    results.seekToBeginning(List.of(reply));
    return reply;
  }

  private Properties consumerProps() {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    return props;
  }
}
