package dev.sluice.router.topology;

import dev.sluice.schemas.StageWork;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Stage work goes to the partition equal to its lane. */
final class LanePartitioner implements StreamPartitioner<String, StageWork> {
  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, StageWork work, int numPartitions) {
    if (work.getLane() < 0 || work.getLane() >= numPartitions) {
      // The router checks lanes == partitions at start; reaching this is a bug, not a routing choice.
      throw new IllegalStateException("lane " + work.getLane() + " of request " + work.getRequestId()
          + " does not exist on " + topic + " (" + numPartitions + " partitions)");
    }
    return Optional.of(Set.of(work.getLane()));
  }
}
