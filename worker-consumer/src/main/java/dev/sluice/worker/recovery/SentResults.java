package dev.sluice.worker.recovery;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.topic.Topic;
import dev.sluice.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads back the results already on the results topic since a point in time. The last stage does
 * this when it takes over a lane: the previous owner may have sent a step's results and died before
 * committing the step, so the step is read again; knowing what was sent, the new owner sends each
 * (requestId, index) and each DONE/ERROR once. Results of a step are always written after the step's
 * record was created, so reading from the oldest re-read record's timestamp (less a margin for clock
 * skew) finds them all.
 */
public final class SentResults implements AutoCloseable {
  /** Clock skew allowed between the hosts of two stages. */
  public static final long SKEW_MARGIN_MS = 2_000;

  private final KafkaConsumer<String, ResultEvent> consumer;
  private final List<TopicPartition> partitions;

  public SentResults(WorkerSettings settings, Topic<String, ResultEvent> results) {
    String resultsTopic = results.name();
    Map<String, Object> p = new HashMap<>(settings.kafka());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.workerId() + "-sent-results");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(p, results.keySerde().deserializer(), results.valueSerde().deserializer());
    this.partitions = consumer.partitionsFor(resultsTopic).stream()
        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(partitions);
  }

  /** Every result written at or after {@code fromMs}, by request id. */
  public Map<String, List<ResultEvent>> since(long fromMs) {
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, Math.max(0, fromMs)));
    Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    List<TopicPartition> toRead = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp start = starts.get(tp);
      if (start != null && start.offset() < ends.get(tp)) {
        consumer.seek(tp, start.offset());
        toRead.add(tp);
      }
    }
    Map<String, List<ResultEvent>> sent = new HashMap<>();
    long deadline = System.currentTimeMillis() + 60_000;
    while (toRead.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("could not read back the results topic within 60 s");
      }
      for (ConsumerRecord<String, ResultEvent> r : consumer.poll(Duration.ofMillis(100))) {
        if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition())) && r.key() != null) {
          sent.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
      }
    }
    return sent;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
