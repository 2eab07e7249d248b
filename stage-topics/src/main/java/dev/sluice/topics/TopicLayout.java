package dev.sluice.topics;

import dev.sluice.schemas.topic.SluiceTopics;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Sluice's topics (docs/topics-and-records.md): names from the prefix, partition counts and configs.
 *
 * <p>Every stage topic has {@code lanes} partitions: partition p of {@code stage-K} is lane p, so a
 * request stays on one lane through every stage. Every topic is created with an explicit
 * {@code max.message.bytes}, and producers use the matching {@link #producerSizeProps()} so that an
 * oversized record fails loudly at the producer.
 *
 * @param namespace first part of every topic name (default {@code sluice})
 * @param stages number of pipeline stages S: topics {@code stage-0} .. {@code stage-(S-1)}
 * @param lanes lane count L, the partition count of every stage topic (default 32)
 * @param requestsPartitions partitions of the requests topic (any count works)
 * @param resultsPartitions partitions of the results topic (reply partitions of the ingress instances)
 * @param replicationFactor replicas of every topic (1 on a single broker)
 * @param retentionMs how long records are kept, except on the compacted workers topic
 * @param maxMessageBytes largest record batch any topic accepts; activation chunks must fit
 *
 * <p>{@code withStages(4).withLanes(12)} and the other withers come from {@link TopicLayoutBuilder.With}.
 */
@RecordBuilder
public record TopicLayout(
    String namespace,
    int stages,
    int lanes,
    int requestsPartitions,
    int resultsPartitions,
    short replicationFactor,
    long retentionMs,
    int maxMessageBytes) implements TopicLayoutBuilder.With {

  public static final String DEFAULT_NAMESPACE = SluiceTopics.DEFAULT_NAMESPACE;
  public static final int DEFAULT_STAGES = 2;
  public static final int DEFAULT_LANES = 32;
  public static final int DEFAULT_REQUESTS_PARTITIONS = 8;
  public static final int DEFAULT_RESULTS_PARTITIONS = 8;
  public static final short DEFAULT_REPLICATION_FACTOR = 1;
  public static final long DEFAULT_RETENTION_MS = 24L * 60 * 60 * 1000;
  /** 32 MiB: a prefill chunk of 512 tokens × 4096 hidden × f32 is 8 MiB, with room to spare. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  /**
   * Tokens per KV block unless configured otherwise: the router hashes prompts and every worker caches
   * them in blocks of one size, checked at start by {@code cluster.BlockSizeAgreement}.
   */
  public static final int DEFAULT_BLOCK_SIZE = 16;

  /** Stage topics roll segments at this size so retention can free disk (the default is 1 GiB per lane). */
  static final int STAGE_SEGMENT_BYTES = 128 * 1024 * 1024;
  /** The workers topic rolls hourly so compaction can drop old heartbeats and tombstones. */
  static final long WORKERS_SEGMENT_MS = 60L * 60 * 1000;

  /** A cancel matters while its request can still run: longer than any request's deadline. */
  public static final long CANCELS_RETENTION_MS = 60L * 60 * 1000;

  public TopicLayout {
    new SluiceTopics(namespace); // validates the prefix with the registry's rule
    requireAtLeast("stages", stages, 1);
    requireAtLeast("lanes", lanes, 1);
    requireAtLeast("requests partitions", requestsPartitions, 1);
    requireAtLeast("results partitions", resultsPartitions, 1);
    requireAtLeast("replication factor", replicationFactor, 1);
    requireAtLeast("max message bytes", maxMessageBytes, 1024);
    if (retentionMs <= 0 && retentionMs != -1) {
      throw new IllegalArgumentException("retention.ms must be positive or -1 (keep forever): " + retentionMs);
    }
  }

  public static TopicLayout defaults() {
    return new TopicLayout(DEFAULT_NAMESPACE, DEFAULT_STAGES, DEFAULT_LANES, DEFAULT_REQUESTS_PARTITIONS,
        DEFAULT_RESULTS_PARTITIONS, DEFAULT_REPLICATION_FACTOR, DEFAULT_RETENTION_MS, DEFAULT_MAX_MESSAGE_BYTES);
  }

  /** The typed registry (names with serdes) for this prefix. */
  public SluiceTopics registry() {
    return new SluiceTopics(namespace);
  }

  /** The consumer groups and transactional ids for this prefix. */
  public GroupIds groupIds() {
    return new GroupIds(registry());
  }

  public String requests() {
    return registry().requests().name();
  }

  /** {@code PREFIX.stage-K}; K must be a stage of this layout. */
  public String stage(int k) {
    if (k < 0 || k >= stages) {
      throw new IllegalArgumentException("stage " + k + " is outside 0.." + (stages - 1));
    }
    return registry().stage(k).name();
  }

  /**
   * The stage count of the layout the given topic names hold under {@code topics}' prefix: S when
   * {@code stage-0} .. {@code stage-(S-1)} all exist (0 when stage-0 is missing).
   */
  public static int stagesAmong(java.util.Collection<String> topicNames, SluiceTopics topics) {
    int stages = 0;
    while (topicNames.contains(topics.stage(stages).name())) stages++;
    return stages;
  }

  public List<String> stageTopics() {
    return IntStream.range(0, stages).mapToObj(this::stage).toList();
  }

  public String results() {
    return registry().results().name();
  }

  /** Compacted: the latest heartbeat per worker id, tombstone on clean shutdown. */
  public String workers() {
    return registry().workers().name();
  }

  public String kvEvents() {
    return registry().kvEvents().name();
  }

  /** Compacted and deleted after the retention: the cancels of recent requests, keyed by request id. */
  public String cancels() {
    return registry().cancels().name();
  }

  public String dlq() {
    return registry().dlq().name();
  }

  /** Every topic with its partitions and configs, in the order requests, stages, results, workers, kv-events, dlq, cancels. */
  public List<TopicSpec> allTopics() {
    List<TopicSpec> specs = new ArrayList<>();
    specs.add(deleting(requests(), requestsPartitions, Map.of()));
    for (String stage : stageTopics()) {
      specs.add(deleting(stage, lanes,
          Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(Math.max(STAGE_SEGMENT_BYTES, 2L * maxMessageBytes)))));
    }
    specs.add(deleting(results(), resultsPartitions, Map.of()));
    // One partition: a small stream that every router reads whole (global table).
    specs.add(new TopicSpec(workers(), 1, replicationFactor, Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(WORKERS_SEGMENT_MS),
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxMessageBytes))));
    specs.add(deleting(kvEvents(), 1, Map.of()));
    specs.add(deleting(dlq(), 1, Map.of()));
    // Read whole by every stage worker: one partition, compacted, and gone after the cancel window.
    specs.add(new TopicSpec(cancels(), 1, replicationFactor, Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(CANCELS_RETENTION_MS),
        TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(WORKERS_SEGMENT_MS),
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxMessageBytes))));
    return List.copyOf(specs);
  }

  /** Producer settings that match the topics' {@code max.message.bytes}; merge into every producer's config. */
  public Map<String, Object> producerSizeProps() {
    return producerSizeProps(maxMessageBytes);
  }

  /** Consumer settings that fetch a full-size record in one request instead of the 1 MiB default. */
  public Map<String, Object> consumerSizeProps() {
    return consumerSizeProps(maxMessageBytes);
  }

  /** The producer size settings for topics of this {@code max.message.bytes}: the one place they are worked out. */
  public static Map<String, Object> producerSizeProps(int maxMessageBytes) {
    // buffer.memory must hold at least one full record; keep Kafka's 32 MiB default as the floor.
    long bufferMemory = Math.max(32L * 1024 * 1024, 2L * maxMessageBytes);
    return Map.of(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxMessageBytes,
        ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory);
  }

  /** The consumer size settings for topics of this {@code max.message.bytes}. */
  public static Map<String, Object> consumerSizeProps(int maxMessageBytes) {
    return Map.of(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxMessageBytes,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(ConsumerConfig.DEFAULT_FETCH_MAX_BYTES, maxMessageBytes));
  }

  private TopicSpec deleting(String name, int partitions, Map<String, String> extra) {
    Map<String, String> configs = new java.util.HashMap<>(extra);
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retentionMs));
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxMessageBytes));
    return new TopicSpec(name, partitions, replicationFactor, configs);
  }

  private static void requireAtLeast(String what, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(what + " must be at least " + min + ": " + value);
    }
  }
}
