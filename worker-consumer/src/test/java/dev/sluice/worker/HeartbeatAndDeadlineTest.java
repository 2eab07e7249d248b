package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.KvEvent;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.Topic;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Heartbeats, tombstones, KvEvents, metrics, deadlines and exactly-once mode on the real broker. */
@ExtendWith(SharedKafkaExtension.class)
class HeartbeatAndDeadlineTest {

  /** Client settings naming the shared broker and nothing else. */
  private static Map<String, Object> brokerOnly() {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    return p;
  }

  /** Stages 0 (layers 0-2) and 1 (layers 3-4), one worker each, both ready. */
  private static void startReadyChain(PipelineFixture f) {
    f.startChain("0-2", "3-4");
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
  }

  /** Every record of the topic now, values read with the registry's serde, keys as text. */
  private static <V> List<ConsumerRecord<String, V>> readAll(Topic<?, V> registered) {
    String topic = registered.name();
    List<ConsumerRecord<String, V>> out = new ArrayList<>();
    try (KafkaConsumer<String, V> c =
        new KafkaConsumer<>(brokerOnly(), new StringDeserializer(), registered.valueSerde().deserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 10_000;
      while (System.currentTimeMillis() < deadline && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void shouldPublishHeartbeatsKvEventsAndMetricsAndTombstoneOnClose() throws Exception {
    try (PipelineFixture f = new PipelineFixture("beat", 2)) {
      StageWorker w0 = f.start(f.settings(0, "0-2", f.namespace + "-w0"));
      f.start(f.settings(1, "3-4", f.namespace + "-w1"));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
      int[] prompt = java.util.Arrays.copyOf(PipelineFixture.goldenTokens("golden_bos_greedy256.bin"), 40);
      f.submit("beat-1", prompt, 5, 2);
      f.awaitResults(List.of("beat-1"), Duration.ofSeconds(60));

      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readAll(f.topics.workers()).stream()
          .anyMatch(r -> r.value() != null
              && r.key().equals(w0.workerId()) && r.value().getRequestsServed() == 1 && r.value().getTokensProcessed() >= 40
              && r.value().getState() == WorkerState.READY && r.value().getLanes().size() == PipelineFixture.LANES
              && r.value().getKvBlocksUsed() == 2));
      List<ConsumerRecord<String, KvEvent>> kv = readAll(f.topics.kvEvents());
      assertThat(kv).anySatisfy(r -> {
        assertThat(r.key()).isEqualTo(w0.workerId());
        assertThat(r.value().getLane()).isEqualTo(2);
        assertThat(r.value().getStored()).hasSize(2); // 40 prompt tokens = 2 full blocks
      });

      ByteArrayOutputStream metrics = new ByteArrayOutputStream();
      new PrometheusTextFormatWriter(false).write(metrics, PipelineFixture.REGISTRY.scrape());
      assertThat(metrics.toString().lines().filter(l -> l.startsWith("sluice_worker_positions_total{")
          && l.contains("worker=\"" + w0.workerId() + "\"")).findFirst()).isPresent();

      w0.close();
      f.workers.remove(w0);
      List<ConsumerRecord<String, WorkerStatus>> beats = readAll(f.topics.workers());
      ConsumerRecord<String, WorkerStatus> last = beats.stream().filter(r -> r.key().equals(w0.workerId()))
          .reduce((a, b) -> b).orElseThrow();
      assertThat(last.value()).as("tombstone after a clean shutdown").isNull();
    }
  }

  @Test
  void shouldEndAnExpiredRequestWithOneDeadlineError() throws Exception {
    try (PipelineFixture f = new PipelineFixture("deadline", 2)) {
      startReadyChain(f);
      try (KafkaProducer<String, StageWork> producer =
          new KafkaProducer<>(brokerOnly(), new StringSerializer(), f.topics.stage(0).valueSerde().serializer())) {
        StageWork w = StageWork.newBuilder().setRequestId("late").setLane(0).setKind(WorkKind.PREFILL_CHUNK)
            .setStartPos(0).setEndPos(3).setTokenIds(List.of(1, 403, 407)).setPromptLength(3)
            .setSampling(Sampling.newBuilder().setMaxTokens(50).build()).setReplyPartition(1)
            .setDeadlineMs(System.currentTimeMillis() - 1).build();
        producer.send(new ProducerRecord<>(f.topics.stage(0).name(), 0, "late", w)).get();
      }
      List<ResultEvent> events = f.awaitResults(List.of("late"), Duration.ofSeconds(60)).get("late");
      assertThat(events).singleElement().satisfies(e -> {
        assertThat(e.getKind()).isEqualTo(ResultKind.ERROR);
        assertThat(e.getErrorCode()).isEqualTo("deadline_exceeded");
        assertThat(e.getIndex()).isZero();
      });
      List<ConsumerRecord<String, ResultEvent>> onReplyPartition = readAll(f.topics.results());
      assertThat(onReplyPartition).singleElement().satisfies(r -> assertThat(r.partition()).isEqualTo(1));
    }
  }

  @Test
  void shouldGenerateTheSameTokensWithExactlyOnceBetweenStages() throws Exception {
    try (PipelineFixture f = new PipelineFixture("eos", 2)) {
      f.start(f.settings(0, "0-2", f.namespace + "-w0").withGuarantee(Guarantee.EXACTLY_ONCE));
      f.start(f.settings(1, "3-4", f.namespace + "-w1").withGuarantee(Guarantee.EXACTLY_ONCE));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
      int[] golden = PipelineFixture.goldenTokens("golden_once_upon_a_time.bin");
      int promptLength = 5; // BOS + "Once upon a time"
      f.submit("eos-1", java.util.Arrays.copyOf(golden, promptLength), golden.length - promptLength, 3);
      List<ResultEvent> events = f.awaitResults(List.of("eos-1"), Duration.ofSeconds(90)).get("eos-1");
      PipelineFixture.done(events);
      assertThat(PipelineFixture.tokens(events)).containsExactly(java.util.Arrays.copyOfRange(golden, promptLength, golden.length));
    }
  }

  @Test
  void shouldSendUnreadableStageRecordsToTheDlqAndKeepServing() throws Exception {
    try (PipelineFixture f = new PipelineFixture("dlq", 2)) {
      startReadyChain(f);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(brokerOnly(), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(f.topics.stage(0).name(), 0, "junk", "not avro")).get();
      }
      f.submit("after-junk", new int[] {1, 403, 407, 261, 378}, 3, 0);
      assertThat(PipelineFixture.done(f.awaitResults(List.of("after-junk"), Duration.ofSeconds(60)).get("after-junk"))
          .getKind()).isEqualTo(ResultKind.DONE);
      List<ConsumerRecord<String, byte[]>> dlq = readAll(f.topics.dlq());
      assertThat(dlq).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("junk");
        assertThat(new String(r.value())).isEqualTo("not avro");
        assertThat(dev.sluice.schemas.serde.SluiceHeaders.get(r.headers(), dev.sluice.schemas.serde.SluiceHeaders.DLQ_REASON))
            .isNotBlank();
      });
    }
  }
}
