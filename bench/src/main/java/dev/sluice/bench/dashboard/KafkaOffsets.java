package dev.sluice.bench.dashboard;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Offsets the dashboard needs, read with the AdminClient: which topics exist, their partition
 * counts, start and end offsets, and a group's committed offsets; from them, lag per partition.
 * Blocking calls, each bounded by the client's {@code default.api.timeout.ms}.
 */
final class KafkaOffsets {
  private final Admin admin;

  KafkaOffsets(Admin admin) {
    this.admin = admin;
  }

  Set<String> topicNames() {
    return get(admin.listTopics().names(), "list topics");
  }

  /** Partition count per topic; the topics must exist. */
  Map<String, Integer> partitions(List<String> topics) {
    if (topics.isEmpty()) return Map.of();
    Map<String, TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames(), "describe topics");
    Map<String, Integer> counts = new HashMap<>();
    descriptions.forEach((name, d) -> counts.put(name, d.partitions().size()));
    return counts;
  }

  /** Start (earliest) and end (latest) offsets of every partition of the topics, in one request each. */
  Offsets offsets(Map<String, Integer> partitionCounts) {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitionCounts.forEach((topic, count) -> IntStream.range(0, count).forEach(p -> {
      earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }));
    if (latest.isEmpty()) return new Offsets(Map.of(), Map.of());
    return new Offsets(
        toOffsets(get(admin.listOffsets(earliest).all(), "list start offsets")),
        toOffsets(get(admin.listOffsets(latest).all(), "list end offsets")));
  }

  /** The group's committed offset per partition; empty when the group never committed. */
  Map<TopicPartition, Long> committed(String group) {
    Map<TopicPartition, OffsetAndMetadata> raw;
    try {
      raw = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) return Map.of();
      throw unwrap(e, "list offsets of group " + group);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while reading offsets of group " + group, e);
    }
    Map<TopicPartition, Long> committed = new HashMap<>();
    raw.forEach((tp, om) -> {
      if (om != null) committed.put(tp, om.offset());
    });
    return committed;
  }

  /**
   * Records of one partition the group has not committed yet. With no commit the group starts from the
   * earliest offset (workers and the router reset to earliest), so everything retained is waiting.
   */
  static long lag(TopicPartition tp, Offsets offsets, Map<TopicPartition, Long> committed) {
    long end = offsets.end().getOrDefault(tp, 0L);
    long from = committed.containsKey(tp) ? committed.get(tp) : offsets.start().getOrDefault(tp, 0L);
    return Math.max(0, end - from);
  }

  /** Start and end offsets per partition. */
  record Offsets(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {
    long endSum(String topic) {
      return end.entrySet().stream().filter(e -> e.getKey().topic().equals(topic)).mapToLong(Map.Entry::getValue).sum();
    }

    /** Records retained on the topic: end minus start, summed over partitions. */
    long size(String topic) {
      return endSum(topic) - start.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
          .mapToLong(Map.Entry::getValue).sum();
    }
  }

  private static Map<TopicPartition, Long> toOffsets(Map<TopicPartition, ListOffsetsResultInfo> infos) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    infos.forEach((tp, info) -> offsets.put(tp, info.offset()));
    return offsets;
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String action) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw unwrap(e, action);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while trying to " + action, e);
    }
  }

  private static RuntimeException unwrap(ExecutionException e, String action) {
    if (e.getCause() instanceof KafkaException kafka) return kafka;
    return new KafkaException("cannot " + action + ": " + e.getCause(), e.getCause());
  }
}
