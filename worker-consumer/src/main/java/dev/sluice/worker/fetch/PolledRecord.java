package dev.sluice.worker.fetch;

import dev.sluice.schemas.StageWork;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A record of the stage's topic, read and decoded by the fetch thread, waiting to be computed.
 *
 * @param epoch the fetch epoch it was read in: a rewind to the committed offsets starts a new
 *     epoch, and records of older epochs are dropped wherever they are
 */
public record PolledRecord(ConsumerRecord<String, byte[]> record, StageWork work, long epoch, long polledAtMs) {
  public PolledRecord(ConsumerRecord<String, byte[]> record, StageWork work, long epoch) {
    this(record, work, epoch, System.currentTimeMillis());
  }

  public TopicPartition partition() {
    return new TopicPartition(record.topic(), record.partition());
  }

  /** The sequence whose steps must run in order: the request id. */
  public String sequence() {
    return record.key() != null ? record.key() : record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
