package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * --guarantee exactly-once under failing transactions: each stage's transactions fail now and then
 * (injected before the commit); each is aborted and the stage re-runs from its committed offsets.
 * Nothing may be lost or doubled as a read_committed consumer sees it, and an unreadable record
 * reaches the DLQ once, inside a transaction.
 */
@ExtendWith(SharedKafkaExtension.class)
class ExactlyOnceFaultTest {

  /** Fails the transactions whose number (1, 2, …) is listed. */
  private static FaultInjection failing(int... numbers) {
    Set<Integer> fail = new HashSet<>();
    Arrays.stream(numbers).forEach(fail::add);
    AtomicInteger n = new AtomicInteger();
    return new FaultInjection() {
      @Override
      public boolean failTransaction() {
        return fail.contains(n.incrementAndGet());
      }
    };
  }

  @Test
  void shouldAbortAFailedTransactionAndRerunWithNothingLostOrDoubled() throws Exception {
    try (PipelineFixture f = new PipelineFixture("eos-faults", 2)) {
      StageWorker w0 = f.start(f.settings(0, "0-2", f.namespace + "-w0").withGuarantee(Guarantee.EXACTLY_ONCE),
          failing(3, 9));
      StageWorker w1 = f.start(f.settings(1, "3-4", f.namespace + "-w1").withGuarantee(Guarantee.EXACTLY_ONCE),
          failing(2, 5, 11));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
      int[] golden = PipelineFixture.goldenTokens("golden_once_upon_a_time.bin");
      int[] prompt = Arrays.copyOf(golden, 5);
      int maxTokens = 24;
      int[] expected = Arrays.copyOfRange(golden, prompt.length, prompt.length + maxTokens);
      List<String> ids = new ArrayList<>();
      for (int r = 0; r < 8; r++) {
        String id = "eos-" + r;
        ids.add(id);
        f.submit(id, prompt, maxTokens, r % PipelineFixture.LANES);
      }
      sendGarbage(f.topics.stage(1).name(), "garbage-key");

      Map<String, List<ResultEvent>> results = f.awaitResults(ids, Duration.ofSeconds(120));
      for (String id : ids) {
        List<ResultEvent> events = results.get(id);
        PipelineFixture.done(events); // exactly one final result
        Set<Integer> indexes = new HashSet<>();
        events.stream().filter(e -> e.getKind() == ResultKind.TOKEN)
            .forEach(e -> assertThat(indexes.add(e.getIndex())).as("%s#%d once", id, e.getIndex()).isTrue());
        assertThat(PipelineFixture.tokens(events)).as("tokens of %s", id).containsExactly(expected);
      }
      assertThat(w0.abortedTransactions()).as("stage 0 aborted and re-ran").isPositive();
      assertThat(w1.abortedTransactions()).as("stage 1 aborted and re-ran").isPositive();
      assertThat(dlqKeys(f.topics.dlq().name())).containsExactly("garbage-key");
    }
  }

  private static void sendGarbage(String topic, String key) {
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        SharedKafkaExtension.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topic, 1, key, new byte[] {1, 2, 3, 4}));
    }
  }

  /** Keys on the DLQ as a read_committed consumer sees them. */
  private static List<String> dlqKeys(String topic) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> keys = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition()))
          .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 3000;
      while (System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
      }
    }
    return keys;
  }
}
