package dev.sluice.schemas.hash;

import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The router and every worker must hash and cache prompts in blocks of the same {@code block_size}:
 * with another size a worker would never find a block the router names, and caching would silently
 * stop. Workers announce their block size in heartbeats; a router or worker that starts with a
 * different size than a live worker fails at start, naming both values.
 */
public final class BlockSizeAgreement {
  /** Tokens per KV block unless configured otherwise. */
  public static final int DEFAULT_BLOCK_SIZE = 16;
  /** Heartbeats older than this are of workers that are gone. */
  private static final long LIVE_MS = 10_000;

  private BlockSizeAgreement() {}

  /** The first live worker whose block size differs from {@code blockSize}, described, if any. */
  public static Optional<String> disagreement(int blockSize, Collection<WorkerStatus> heartbeats, long nowMs,
      String selfId) {
    for (WorkerStatus w : heartbeats) {
      if (w == null || w.getWorkerId().equals(selfId) || w.getState() != WorkerState.READY
          || nowMs - w.getTimestampMs() > LIVE_MS) {
        continue;
      }
      if (w.getBlockSize() != blockSize) {
        return Optional.of("worker " + w.getWorkerId() + " (stage " + w.getStage() + ") caches blocks of "
            + w.getBlockSize() + " tokens");
      }
    }
    return Optional.empty();
  }

  /**
   * Reads the workers topic and fails when a live worker uses another block size.
   *
   * @param who "worker setting" or "router setting", for the message
   * @throws IllegalArgumentException naming both block sizes
   */
  public static void require(String who, int blockSize, String selfId, String workersTopic,
      Map<String, Object> clientProps) {
    Optional<String> other = disagreement(blockSize, latest(workersTopic, clientProps).values(),
        System.currentTimeMillis(), selfId);
    if (other.isPresent()) {
      throw new IllegalArgumentException(who + " 'block_size' is " + blockSize + " but " + other.get()
          + "; the router and every worker must use the same block_size");
    }
  }

  /** The latest heartbeat of every worker on the (compacted) workers topic; tombstoned workers absent. */
  public static Map<String, WorkerStatus> latest(String workersTopic, Map<String, Object> clientProps) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    Map<String, WorkerStatus> latest = new HashMap<>();
    try (KafkaConsumer<String, WorkerStatus> c = new KafkaConsumer<>(p, new StringDeserializer(),
        SluiceSerdes.workerStatus().deserializer())) {
      List<TopicPartition> parts = c.partitionsFor(workersTopic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(workersTopic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 30_000;
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, WorkerStatus> r : c.poll(Duration.ofMillis(100))) {
          if (r.value() == null) {
            latest.remove(r.key());
          } else {
            latest.put(r.key(), r.value());
          }
        }
      }
    }
    return latest;
  }
}
