package dev.sluice.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brokers of its own (not the shared one): restarts and ports are what is under test. */
class LocalKafkaTest {

  @Test
  void shouldKeepTopicsAndRecordsAfterRestartOnSameDataDir(@TempDir Path dataDir) throws Exception {
    String firstClusterId;
    try (LocalKafka kafka = new LocalKafka(dataDir).start()) {
      firstClusterId = kafka.clusterId();
      try (Admin admin = admin(kafka)) {
        admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
          new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 3; i++) {
          producer.send(new ProducerRecord<>("kept", 0, "k" + i, "record-" + i)).get(30, TimeUnit.SECONDS);
        }
      }
    }

    try (LocalKafka kafka = new LocalKafka(dataDir).start()) {
      assertThat(kafka.clusterId()).isEqualTo(firstClusterId);
      try (Admin admin = admin(kafka)) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept");
        assertThat(admin.describeTopics(Set.of("kept")).allTopicNames().get(30, TimeUnit.SECONDS)
            .get("kept").partitions()).hasSize(2);
      }
      assertThat(readAll(kafka, new TopicPartition("kept", 0), 3))
          .containsExactly("record-0", "record-1", "record-2");
    }
  }

  @Test
  void shouldListenOnTheGivenKafkaPortAndFreeItOnClose(@TempDir Path dataDir) throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    try (LocalKafka kafka = new LocalKafka(dataDir, port).start()) {
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      try (Admin admin = admin(kafka)) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        var broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        var config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
        assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
        assertThat(config.get("message.max.bytes").value()).isEqualTo(String.valueOf(LocalKafka.MESSAGE_MAX_BYTES));
      }
    }
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void shouldDeleteItsTemporaryDataDirOnClose() {
    LocalKafka kafka = LocalKafka.inTempDir().start();
    Path dir = kafka.dataDir();
    assertThat(dir.resolve("meta.properties")).exists();
    kafka.close();
    assertThat(dir).doesNotExist();
    assertThat(kafka.isRunning()).isFalse();
  }

  private static Admin admin(LocalKafka kafka) {
    return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
  }

  private static List<String> readAll(LocalKafka kafka, TopicPartition partition, int expected) {
    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.size() < expected && System.nanoTime() < giveUp) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
