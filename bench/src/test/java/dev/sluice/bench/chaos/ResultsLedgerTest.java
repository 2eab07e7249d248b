package dev.sluice.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ledger against a real results topic: what it counts per request, and when it has read everything. */
@ExtendWith(SharedKafkaExtension.class)
class ResultsLedgerTest {
  @Test
  void shouldCountTerminalEventsAndRepeatedIndexesOfEveryRequest() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("ledger");
    writeResults(namespace, List.of(event("a", 0, ResultKind.TOKEN), event("a", 0, ResultKind.TOKEN),
        event("a", 1, ResultKind.DONE), event("b", 0, ResultKind.DONE), event("b", 0, ResultKind.DONE)));

    try (ResultsLedger ledger = new ResultsLedger(SharedKafkaExtension.bootstrapServers(), namespace)) {
      Map<TopicPartition, Long> end = ledger.endOffsets(SharedKafkaExtension.bootstrapServers());
      await().atMost(Duration.ofSeconds(30)).until(() -> ledger.caughtUpTo(end));

      assertThat(ledger.counts("a")).isEqualTo(new ResultsLedger.Counts(1, 1));
      assertThat(ledger.counts("b")).isEqualTo(new ResultsLedger.Counts(2, 1));
      assertThat(ledger.counts("never-sent")).isEqualTo(new ResultsLedger.Counts(0, 0));
      assertThat(ledger.unknownIdsBetween(0, Long.MAX_VALUE, Set.of("a"))).isEqualTo(1);
    }
  }

  /** Creates the namespace's topics and writes {@code events} to its results topic, keyed by request id. */
  private static void writeResults(String namespace, List<ResultEvent> events) throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(2).withResultsPartitions(2));
    }
    String topic = new SluiceTopics(namespace).results().name();
    try (KafkaProducer<String, ResultEvent> producer = new KafkaProducer<>(
        Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
        SluiceSerdes.resultEvent().serializer())) {
      for (ResultEvent e : events) producer.send(new ProducerRecord<>(topic, e.getRequestId().toString(), e)).get();
    }
  }

  private static ResultEvent event(String requestId, int index, ResultKind kind) {
    ResultEvent.Builder b = ResultEvent.newBuilder().setRequestId(requestId).setIndex(index).setKind(kind)
        .setAtMs(System.currentTimeMillis());
    if (kind == ResultKind.TOKEN) b.setTokenIds(List.of(100 + index)).setText("x");
    else b.setFinishReason(FinishReason.LENGTH);
    return b.build();
  }
}
