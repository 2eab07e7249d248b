package dev.sluice.worker.outbox;

import dev.sluice.worker.FaultInjection;
import dev.sluice.worker.commit.OffsetTracker;
import dev.sluice.worker.commit.TransactionalCommitter;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.status.WorkerHealth;
import dev.sluice.worker.step.Outgoing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once outbox: its own thread takes every batch handed over since the last transaction and
 * writes them in one — outputs, DLQ records and the input offsets together — while the compute
 * thread goes on with the next step. A transaction that fails is aborted and the stage re-runs from
 * its committed offsets ({@link Rewind}); a fenced producer (a newer instance of this worker took
 * over) or {@value #MAX_ABORTS} aborts in a row fail the worker.
 */
public final class TransactionalOutbox extends ProducerOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionalOutbox.class);
  private static final int MAX_ABORTS = 5;

  /** A batch, or a DLQ record (inputs = the record, dlqReason set). */
  private record Item(OutboxBatch batch, PolledRecord dead, String reason) {}

  private final TransactionalCommitter committer;
  private final AtomicLong epoch;
  private final Rewind rewind;
  private final FaultInjection faults;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AtomicLong aborts = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  /** Items handed over and items written or dropped: idle when equal. */
  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong handled = new AtomicLong();

  public TransactionalOutbox(Producer<String, byte[]> producer, OutboxRecords records, OffsetTracker tracker,
      TransactionalCommitter committer, WorkerHealth health, AtomicLong epoch, Rewind rewind, FaultInjection faults,
      String workerId) {
    super(producer, records, tracker, health);
    this.committer = committer;
    this.epoch = epoch;
    this.rewind = rewind;
    this.faults = faults;
    producer.initTransactions();
    this.thread = new Thread(this::run, "sluice-" + workerId + "-txn");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  @Override
  public void submit(OutboxBatch batch) {
    submitted.incrementAndGet();
    queue.add(new Item(batch, null, null));
  }

  @Override
  public void deadLetter(PolledRecord record, String reason) {
    submitted.incrementAndGet();
    queue.add(new Item(null, record, reason));
  }

  private void run() {
    int abortsInARow = 0;
    try {
      while (running || !queue.isEmpty()) {
        Item first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<Item> items = new ArrayList<>();
        items.add(first);
        queue.drainTo(items);
        int taken = items.size();
        long current = epoch.get();
        items.removeIf(i -> (i.batch != null ? i.batch.epoch() : i.dead.epoch()) != current); // re-read after a rewind
        if (items.isEmpty()) {
          handled.addAndGet(taken);
          continue;
        }
        try {
          commit(items);
          abortsInARow = 0;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
            | UnsupportedVersionException fatal) {
          health.fail("the transactional producer", fatal);
          return;
        } catch (KafkaException e) {
          aborts.incrementAndGet();
          LOG.warn("transaction failed, aborting and re-running from the committed offsets: {}", e.toString());
          producer.abortTransaction();
          if (++abortsInARow >= MAX_ABORTS) {
            health.fail(MAX_ABORTS + " transactions in a row", e);
            return;
          }
          taken += drop();
          rewind.rewind();
        } finally {
          handled.addAndGet(taken);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      health.fail("the transaction thread", e);
    }
  }

  private void commit(List<Item> items) {
    producer.beginTransaction();
    for (Item i : items) {
      if (i.dead != null) {
        producer.send(records.deadLetter(i.dead.record(), i.reason), (m, e) -> countFailure(e));
      } else {
        for (Outgoing o : i.batch.outgoing()) {
          producer.send(records.toRecord(o, i.batch.inputs()), (m, e) -> countFailure(e));
        }
      }
    }
    for (Item i : items) {
      done(i.dead != null ? List.of(i.dead) : i.batch.inputs());
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = committer.offsetsForTransaction();
    if (!offsets.isEmpty()) {
      producer.sendOffsetsToTransaction(offsets, committer.groupMetadata());
    }
    if (faults.failTransaction()) {
      throw new KafkaException("injected transaction failure");
    }
    producer.commitTransaction(); // throws if any send of the transaction failed
    committer.committed(offsets);
  }

  private int drop() {
    List<Item> dropped = new ArrayList<>();
    queue.drainTo(dropped);
    return dropped.size();
  }

  private void countFailure(Exception e) {
    if (e != null) {
      failedSends.incrementAndGet();
    }
  }

  /** Transactions aborted so far. */
  public long aborts() {
    return aborts.get();
  }

  @Override
  public boolean awaitIdle(long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (handled.get() < submitted.get()) {
      if (System.currentTimeMillis() > deadline || health.failed() || !thread.isAlive()) {
        return false;
      }
      Thread.sleep(2);
    }
    return true;
  }

  @Override
  void stopSending(boolean flush) {
    if (!flush) {
      handled.addAndGet(drop());
    }
    running = false;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
