package dev.sluice.worker.commit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The at-least-once committer against a real consumer group on the shared broker. */
@ExtendWith(SharedKafkaExtension.class)
class AtLeastOnceCommitterTest {

  @Test
  void shouldMakeTheFinalCommitEvenWithAStopsWakeupPending() throws Exception {
    String topic = SharedKafkaExtension.uniquePrefix("commit-wakeup") + ".stage-0";
    String group = topic + ".group";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    TopicPartition lane = new TopicPartition(topic, 0);
    OffsetTracker tracker = new OffsetTracker();
    for (long offset = 0; offset < 5; offset++) {
      tracker.polled(lane, offset);
      tracker.done(lane, offset);
    }
    AtLeastOnceCommitter committer = new AtLeastOnceCommitter(tracker, "w");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(lane));
      consumer.wakeup(); // a graceful stop woke the consumer while the fetch thread was not in poll

      committer.commitNow(consumer);

      assertThat(committer.failures()).isZero();
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(lane));
      assertThat(committed.get(lane)).isNotNull();
      assertThat(committed.get(lane).offset()).isEqualTo(5);
    }
  }
}
