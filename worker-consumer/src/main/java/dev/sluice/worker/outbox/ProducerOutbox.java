package dev.sluice.worker.outbox;

import dev.sluice.worker.commit.OffsetTracker;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.status.WorkerHealth;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;

/**
 * What both outboxes share: the producer they write with, the records they build, the offsets they mark done,
 * the health they fail, the failed sends they count, and closing (stop sending, then close the producer).
 */
abstract sealed class ProducerOutbox implements Outbox permits AsyncOutbox, TransactionalOutbox {
  final Producer<String, byte[]> producer;
  final OutboxRecords records;
  final WorkerHealth health;
  final AtomicLong failedSends = new AtomicLong();
  private final OffsetTracker tracker;

  ProducerOutbox(Producer<String, byte[]> producer, OutboxRecords records, OffsetTracker tracker, WorkerHealth health) {
    this.producer = producer;
    this.records = records;
    this.tracker = tracker;
    this.health = health;
  }

  /** The inputs are finished: their offsets may be committed. */
  final void done(List<PolledRecord> inputs) {
    inputs.forEach(r -> tracker.done(r.partition(), r.record().offset()));
  }

  @Override
  public final long failedSends() {
    return failedSends.get();
  }

  /** Stops handing records to the producer; with {@code flush}, once what was submitted is written. */
  abstract void stopSending(boolean flush);

  @Override
  public final void close(boolean flush) {
    stopSending(flush);
    producer.close(flush ? Duration.ofSeconds(10) : Duration.ZERO);
  }
}
