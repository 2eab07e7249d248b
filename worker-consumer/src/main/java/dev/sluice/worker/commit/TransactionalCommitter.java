package dev.sluice.worker.commit;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Exactly-once: offsets are committed inside the producer's transactions, together with the
 * outputs they cover ({@code sendOffsetsToTransaction}). The fetch thread only keeps the group's
 * metadata current (the consumer may not be touched from the transaction thread); a metadata of a
 * past generation makes the transaction fail, and the batch is re-run from the committed offsets.
 */
public final class TransactionalCommitter implements OffsetCommitter {
  private final OffsetTracker tracker;
  private volatile ConsumerGroupMetadata groupMetadata;

  public TransactionalCommitter(OffsetTracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public void afterPoll(Consumer<?, ?> consumer) {
    groupMetadata = consumer.groupMetadata();
  }

  @Override
  public void commitNow(Consumer<?, ?> consumer) {
    groupMetadata = consumer.groupMetadata(); // the transactions in flight carry the offsets
  }

  @Override
  public long failures() {
    return 0;
  }

  /** The group's metadata as of the last poll. */
  public ConsumerGroupMetadata groupMetadata() {
    return groupMetadata;
  }

  /** Offsets to commit in the transaction being closed (its records are marked done). */
  public Map<TopicPartition, OffsetAndMetadata> offsetsForTransaction() {
    return tracker.committable();
  }

  /** The transaction committed. */
  public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    tracker.committed(offsets);
  }
}
