package dev.sluice.router.topology;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.serde.SluiceHeaders;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * A result goes to the partition named by the record's {@code sluice-reply-partition} header (where
 * its submitter waits); without one, or with one the topic does not have, the default partitioner
 * places it by request id.
 */
final class ReplyPartitioner implements StreamPartitioner<String, ResultEvent> {

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, ResultEvent value, Headers headers, int numPartitions) {
    Integer reply = parse(SluiceHeaders.get(headers, SluiceHeaders.REPLY_PARTITION));
    return reply != null && reply < numPartitions ? Optional.of(Set.of(reply)) : Optional.empty();
  }

  @Override
  public Optional<Set<Integer>> partitions(String topic, String key, ResultEvent value, int numPartitions) {
    return Optional.empty();
  }

  /** The reply partition in a header value; null when absent or not a non-negative integer. */
  static Integer parse(String header) {
    if (header == null) return null;
    try {
      int p = Integer.parseInt(header.trim());
      return p >= 0 ? p : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
