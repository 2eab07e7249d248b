package dev.sluice.bench.replay;

import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Requests recorded on a requests topic, read back once (a consumer that assigns every partition and
 * commits nothing): Avro or JSON, as the router accepts them; unreadable records are counted and
 * skipped. Sorted by record timestamp, so their original spacing can be replayed.
 *
 * @param requests the requests with their record timestamps, oldest first
 * @param unreadable records in range that were not requests
 */
public record RecordedRequests(List<Recorded> requests, int unreadable) {

  /** One recorded request and when it was written. */
  public record Recorded(long timestampMs, InferenceRequest request) {}

  /**
   * Where reading starts or stops in every partition: an offset, or a time (ISO-8601 instant), or
   * the beginning / the end at the time of reading.
   */
  public record Position(Long offset, Instant time) {
    public static final Position EDGE = new Position(null, null);

    /** {@code 1200} = offset 1200, {@code 2026-12-01T12:00:00Z} = that time, empty/null = the edge. */
    public static Position parse(String text) {
      if (text == null || text.isBlank()) return EDGE;
      if (text.chars().allMatch(Character::isDigit)) return new Position(Long.parseLong(text), null);
      try {
        return new Position(null, Instant.parse(text));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("not an offset or an ISO-8601 time (e.g. 2026-12-01T12:00:00Z): " + text);
      }
    }
  }

  public RecordedRequests {
    requests = List.copyOf(requests);
  }

  public static RecordedRequests read(String bootstrapServers, String topic, Position from, Position to, Duration timeout) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    // Any namespace's requests topic holds the registry's request values (Avro or JSON).
    Deserializer<InferenceRequest> serde = SluiceTopics.defaults().requests().valueSerde().deserializer();
    List<Recorded> out = new ArrayList<>();
    int unreadable = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      if (partitions.isEmpty()) throw new IllegalArgumentException("topic " + topic + " does not exist or has no partitions");
      consumer.assign(partitions);
      Map<TopicPartition, Long> start = offsets(consumer, partitions, from, true, timeout);
      Map<TopicPartition, Long> end = offsets(consumer, partitions, to, false, timeout);
      start.forEach(consumer::seek);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition tp : partitions) if (end.get(tp) > start.get(tp)) remaining.put(tp, end.get(tp));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!remaining.isEmpty()) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          Long stop = remaining.get(tp);
          if (stop == null || r.offset() >= stop) continue;
          try {
            InferenceRequest request = serde.deserialize(topic, r.headers(), r.value());
            if (request == null) unreadable++;
            else out.add(new Recorded(r.timestamp(), request));
          } catch (RuntimeException e) {
            unreadable++;
          }
          if (r.offset() + 1 >= stop) remaining.remove(tp);
        }
        for (TopicPartition tp : List.copyOf(remaining.keySet())) {
          if (consumer.position(tp) >= remaining.get(tp)) remaining.remove(tp);
        }
      }
    }
    out.sort(Comparator.comparingLong(Recorded::timestampMs));
    return new RecordedRequests(out, unreadable);
  }

  private static Map<TopicPartition, Long> offsets(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions, Position at,
      boolean start, Duration timeout) {
    Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions, timeout);
    Map<TopicPartition, Long> last = consumer.endOffsets(partitions, timeout);
    Map<TopicPartition, Long> out = new HashMap<>();
    Map<TopicPartition, OffsetAndTimestamp> byTime = null;
    if (at.time() != null) {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, at.time().toEpochMilli()));
      byTime = consumer.offsetsForTimes(query, timeout);
    }
    for (TopicPartition tp : partitions) {
      long o;
      if (at.offset() != null) o = at.offset();
      else if (byTime != null) o = byTime.get(tp) == null ? last.get(tp) : byTime.get(tp).offset();
      else o = start ? first.get(tp) : last.get(tp);
      out.put(tp, Math.max(first.get(tp), Math.min(last.get(tp), o)));
    }
    return out;
  }
}
