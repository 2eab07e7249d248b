package dev.sluice.results;

import dev.sluice.topics.TopicLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka client settings shared by the results readers and the client. */
public final class KafkaSettings {
  private KafkaSettings() {}

  /** Matches the topics' max.message.bytes (32 MiB). */
  public static final int MAX_REQUEST_BYTES = TopicLayout.DEFAULT_MAX_MESSAGE_BYTES;

  /** Idempotent, acks=all, no linger (latency), large records allowed. */
  public static Map<String, Object> producer(String bootstrapServers, String clientId, Map<String, Object> overrides) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putAll(TopicLayout.producerSizeProps(MAX_REQUEST_BYTES));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.putAll(overrides);
    return p;
  }

  /**
   * A consumer of string keys and raw values: values are decoded only for records the reader wants
   * (the key is the request id), and an unreadable value costs one log line, not the consumer.
   * No group and no commits unless {@code groupId} is given.
   */
  public static Map<String, Object> consumer(String bootstrapServers, String groupId, Map<String, Object> overrides) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-results-" + UUID.randomUUID().toString().substring(0, 8));
    if (groupId != null) {
      c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      // KIP-848 protocol: fast incremental rebalances on brokers tuned for it (STACK.md).
      c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    }
    // Results before this consumer started belong to no waiter of ours; readers that want history seek.
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    // Exactly-once workers write results in transactions: never show results of an aborted one.
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.putAll(TopicLayout.consumerSizeProps(MAX_REQUEST_BYTES));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.putAll(overrides);
    return c;
  }
}
