package dev.sluice.router.topology;

import dev.sluice.schemas.StageWork;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Stage work goes to the partition equal to its lane. */
final class LanePartitioner implements StreamPartitioner<String, StageWork> {
  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, StageWork work, int numPartitions) {
    // RouterService checks at start that the stage-0 topic has exactly `lanes` partitions, so the
    // modulo changes nothing in production; it only folds lanes in TopologyTestDriver (one partition).
    return Optional.of(Set.of(Math.floorMod(work.getLane(), numPartitions)));
  }
}
