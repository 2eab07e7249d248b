package dev.sluice.topics;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One topic as the layout wants it.
 *
 * @param name full topic name, e.g. {@code sluice.stage-0}
 * @param partitions partition count (for stage topics: the lane count)
 * @param replicationFactor replicas per partition
 * @param configs topic configs, always including {@code max.message.bytes}
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
  public TopicSpec {
    configs = Map.copyOf(configs);
  }

  public NewTopic toNewTopic() {
    return new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor)).configs(new TreeMap<>(configs));
  }
}
