package dev.sluice.bench.chaos;

import dev.sluice.results.KafkaSettings;
import dev.sluice.results.PollThreads;
import dev.sluice.results.ResultDecoder;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.schemas.topic.Topic;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Every event on the results topic, as a plain read_committed consumer sees it (the workers' transactions
 * under exactly-once; every record under at-least-once), read from the beginning on a thread of its own for
 * the whole run: per request id, its terminal events and the (requestId, index) pairs seen more than once.
 */
final class ResultsLedger implements AutoCloseable {
  /** What the results topic holds for one request. */
  record Counts(int terminalEvents, int duplicatePairs) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final ResultDecoder decoder;
  private final List<TopicPartition> partitions;
  private final Map<String, Set<Integer>> indexes = new HashMap<>();
  private final Map<String, Integer> terminals = new HashMap<>();
  private final Map<String, Integer> duplicates = new HashMap<>();
  private final Map<String, Long> firstSeenMs = new HashMap<>();
  private final Thread reader;
  private volatile Map<TopicPartition, Long> positions = Map.of();
  private volatile boolean running = true;

  ResultsLedger(String bootstrapServers, String namespace) {
    Topic<String, ResultEvent> results = new SluiceTopics(namespace).results();
    String topic = results.name();
    decoder = new ResultDecoder(results);
    consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, null, Map.of()));
    partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    reader = new Thread(this::read, "chaos-results-ledger");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try {
      while (running) {
        var records = consumer.poll(Duration.ofMillis(200));
        synchronized (this) {
          for (ConsumerRecord<String, byte[]> r : records) {
            ResultEvent event = decoder.decode(r);
            if (event != null) add(r.key(), event, r.timestamp());
          }
        }
        Map<TopicPartition, Long> now = new HashMap<>();
        for (TopicPartition tp : partitions) now.put(tp, consumer.position(tp));
        positions = now;
      }
    } catch (WakeupException stopping) {
      // close() asked to stop
    } finally {
      consumer.close();
    }
  }

  private void add(String requestId, ResultEvent e, long timestampMs) {
    firstSeenMs.putIfAbsent(requestId, timestampMs);
    if (e.getKind() != ResultKind.TOKEN) terminals.merge(requestId, 1, Integer::sum);
    if (!indexes.computeIfAbsent(requestId, k -> new HashSet<>()).add(e.getIndex())) {
      duplicates.merge(requestId, 1, Integer::sum);
    }
  }

  /** The topic's end offsets now (read committed: the last stable offsets), for {@link #caughtUpTo}. */
  Map<TopicPartition, Long> endOffsets(String bootstrapServers) {
    try (KafkaConsumer<String, byte[]> probe = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, null, Map.of()))) {
      return probe.endOffsets(partitions, Duration.ofSeconds(30));
    }
  }

  boolean caughtUpTo(Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> at = positions;
    return end.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  synchronized Counts counts(String requestId) {
    return new Counts(terminals.getOrDefault(requestId, 0), duplicates.getOrDefault(requestId, 0));
  }

  /** Request ids first seen on the topic in [fromMs, toMs) that are not among {@code known}. */
  synchronized long unknownIdsBetween(long fromMs, long toMs, Collection<String> known) {
    Set<String> k = new HashSet<>(known);
    return firstSeenMs.entrySet().stream().filter(e -> e.getValue() >= fromMs && e.getValue() < toMs)
        .filter(e -> !k.contains(e.getKey())).count();
  }

  @Override
  public void close() {
    running = false;
    PollThreads.wakeAndJoin(consumer, reader, Duration.ofSeconds(10));
  }
}
