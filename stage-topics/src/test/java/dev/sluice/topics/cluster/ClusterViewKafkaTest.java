package dev.sluice.topics.cluster;

import static dev.sluice.topics.cluster.ClusterViewTest.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cluster view and the compacted-topic reader under it, on a real broker. */
@ExtendWith(SharedKafkaExtension.class)
class ClusterViewKafkaTest {
  private static Map<String, Object> client() {
    return Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers());
  }

  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", SharedKafkaExtension.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
  }

  private static byte[] bytes(SluiceTopics topics, WorkerStatus w) {
    return SluiceSerdes.workerStatus().serializer().serialize(topics.workers().name(), w);
  }

  @Test
  void shouldJudgeHistoryByItsRecordTimeAndNewHeartbeatsByTheReadersClock() throws Exception {
    TopicLayout layout = TopicLayout.defaults().withNamespace(SharedKafkaExtension.uniquePrefix("cluster-view")).withLanes(2);
    try (TopicAdmin admin = TopicAdmin.connect(SharedKafkaExtension.bootstrapServers())) {
      admin.create(layout);
    }
    SluiceTopics topics = layout.registry();
    long now = System.currentTimeMillis();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      // written a minute ago (record time), by a worker whose clock said "now": gone, for a reader starting now
      producer.send(new ProducerRecord<>(topics.workers().name(), null, now - 60_000, "dead",
          bytes(topics, worker("dead", 0, List.of(0), 0, now)))).get();
      producer.send(new ProducerRecord<>(topics.workers().name(), "left", bytes(topics, worker("left", 0, List.of(1), 0, now))))
          .get();
      producer.send(new ProducerRecord<>(topics.workers().name(), "left", (byte[]) null)).get();
      producer.send(new ProducerRecord<>(topics.workers().name(), "garbage", new byte[] {1, 2, 3})).get();

      try (ClusterView view = ClusterView.read(client(), "cluster-view-test", topics, Duration.ofSeconds(5),
          Duration.ofMinutes(5))) {
        assertThat(view.awaitReady(Duration.ofSeconds(30))).isTrue();
        assertThat(view.snapshot().workers()).as("the tombstoned and the unreadable are not listed")
            .extracting(w -> w.status().getWorkerId()).containsExactly("dead");
        assertThat(view.snapshot().workers().get(0).stale()).isTrue();

        // a live worker whose own clock is ten minutes behind: heard now, so it is live
        producer.send(new ProducerRecord<>(topics.workers().name(), "skewed",
            bytes(topics, worker("skewed", 0, List.of(0, 1), 0, now - 600_000)))).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> view.snapshot().live().size() == 1);
        assertThat(view.snapshot().eligibleLanes(layout.stages() - 1, layout.lanes())).containsExactly(true, true);
        assertThat(view.snapshot().eligibleLanes(layout.stages(), layout.lanes())).as("stage 1 has no worker")
            .containsExactly(false, false);
      }
    }
  }

  @Test
  void shouldWaitForAMissingTopicAndReadItOnceItExists() throws Exception {
    String topic = SharedKafkaExtension.uniquePrefix("compacted") + ".cancels";
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (TopicReader<WorkerStatus> reader = new TopicReader<>(client(), "reader-test", topic,
        SluiceSerdes.workerStatus().deserializer(), "test", (key, value, at, live) -> seen.add(key)).start()) {
      assertThat(reader.awaitCaughtUp(Duration.ofMillis(500))).as("nothing to catch up with yet").isFalse();
      try (Admin admin = Admin.create(client()); KafkaProducer<String, byte[]> producer = producer()) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        producer.send(new ProducerRecord<>(topic, "w", bytes(SluiceTopics.defaults(), worker("w", 0, List.of(0), 0, 0)))).get();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("w"));
      assertThat(reader.isCaughtUp()).isTrue();
    }
  }

  @Test
  void shouldTailATopicFromItsEndWhenToldTo() throws Exception {
    String topic = SharedKafkaExtension.uniquePrefix("tail") + ".results";
    SluiceTopics topics = SluiceTopics.defaults();
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Admin admin = Admin.create(client()); KafkaProducer<String, byte[]> producer = producer()) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      for (int p = 0; p < 3; p++) {
        producer.send(new ProducerRecord<>(topic, p, "before-" + p, bytes(topics, worker("b", 0, List.of(0), 0, 0)))).get();
      }
      try (TopicReader<WorkerStatus> reader = new TopicReader<>(client(), "tail-test", topic, TopicReader.From.END,
          SluiceSerdes.workerStatus().deserializer(), "test", (key, value, at, live) -> seen.add(key)).start()) {
        assertThat(reader.awaitCaughtUp(Duration.ofSeconds(30))).as("positioned at the end").isTrue();
        for (int p = 0; p < 3; p++) {
          producer.send(new ProducerRecord<>(topic, p, "after-" + p, bytes(topics, worker("a", 0, List.of(0), 0, 0)))).get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 3);
        assertThat(seen).as("what was written once it was in place, on every partition, and nothing before")
            .containsExactlyInAnyOrder("after-0", "after-1", "after-2");
      }
    }
  }
}
