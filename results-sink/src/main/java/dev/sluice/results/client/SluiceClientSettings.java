package dev.sluice.results.client;

import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of a {@link SluiceClient}.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param namespace topic prefix (default {@code sluice})
 * @param groupId consumer group on the results topic; its members split the reply partitions
 *     between them (default {@code <prefix>.ingress})
 * @param timeout how long a submitted request may wait for its final result before its future
 *     fails with a {@link java.util.concurrent.TimeoutException}
 * @param kafkaOverrides extra Kafka client settings (SASL/TLS...) applied to the producer and consumer
 */
public record SluiceClientSettings(
    String bootstrapServers, String namespace, String groupId, Duration timeout, Map<String, Object> kafkaOverrides) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  public SluiceClientSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers is required");
    }
    namespace = namespace == null ? SluiceTopics.DEFAULT_NAMESPACE : namespace;
    groupId = groupId == null ? new dev.sluice.topics.GroupIds(namespace).ingress() : groupId;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
    kafkaOverrides = kafkaOverrides == null ? Map.of() : Map.copyOf(kafkaOverrides);
  }

  public static SluiceClientSettings of(String bootstrapServers, String namespace) {
    return new SluiceClientSettings(bootstrapServers, namespace, null, null, null);
  }

  public SluiceClientSettings withGroupId(String newGroupId) {
    return new SluiceClientSettings(bootstrapServers, namespace, newGroupId, timeout, kafkaOverrides);
  }

  public SluiceClientSettings withTimeout(Duration newTimeout) {
    return new SluiceClientSettings(bootstrapServers, namespace, groupId, newTimeout, kafkaOverrides);
  }
}
