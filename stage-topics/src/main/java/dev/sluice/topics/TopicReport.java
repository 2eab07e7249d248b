package dev.sluice.topics;

import java.util.Map;

/**
 * What the cluster has for one topic of the layout.
 *
 * @param name topic name
 * @param exists false when the topic is missing (then partitions and replication factor are 0)
 * @param partitions partition count
 * @param replicationFactor replicas of partition 0
 * @param configs the key configs: max.message.bytes, cleanup.policy, retention.ms
 */
public record TopicReport(String name, boolean exists, int partitions, short replicationFactor, Map<String, String> configs) {
  public TopicReport {
    configs = Map.copyOf(configs);
  }

  static TopicReport missing(String name) {
    return new TopicReport(name, false, 0, (short) 0, Map.of());
  }

  /** One line for people: {@code sluice.stage-0  partitions=32  replicas=1  max.message.bytes=...}. */
  public String describeLine() {
    if (!exists) return name + "  MISSING";
    StringBuilder line = new StringBuilder(name)
        .append("  partitions=").append(partitions)
        .append("  replicas=").append(replicationFactor);
    for (String key : TopicAdmin.KEY_CONFIGS) {
      if (configs.containsKey(key)) line.append("  ").append(key).append('=').append(configs.get(key));
    }
    return line.toString();
  }
}
