package dev.sluice.worker.outbox;

import dev.sluice.worker.commit.OffsetTracker;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.status.WorkerHealth;
import dev.sluice.worker.step.Outgoing;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once outbox: sends without waiting, and marks a batch's inputs done from the producer's
 * acknowledgements. A send the producer gives up on (its own retries are exhausted) is tried again
 * up to {@value #RETRIES} times if the error is retriable, else replaced by an ERROR result for its
 * request (the compute thread is told the request ended); an ERROR or DLQ record that cannot be
 * written fails the worker, leaving its inputs uncommitted for the lanes' next owner.
 */
public final class AsyncOutbox extends ProducerOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncOutbox.class);
  private static final int RETRIES = 3;

  private final Consumer<String> requestEnded;
  private final ScheduledExecutorService retries;
  private final AtomicInteger pending = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean flushPending = new java.util.concurrent.atomic.AtomicBoolean();

  /** @param requestEnded told (from the producer's thread) of a request ended by a replacing ERROR */
  public AsyncOutbox(Producer<String, byte[]> producer, OutboxRecords records, OffsetTracker tracker, WorkerHealth health,
      Consumer<String> requestEnded, String workerId) {
    super(producer, records, tracker, health);
    this.requestEnded = requestEnded;
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-" + workerId + "-send");
      t.setDaemon(true);
      return t;
    });
  }

  /** Outputs of one batch still unacknowledged; its inputs are done at zero. */
  private final class InFlight {
    final List<PolledRecord> inputs;
    final AtomicInteger unacked;

    InFlight(List<PolledRecord> inputs, int outputs) {
      this.inputs = inputs;
      this.unacked = new AtomicInteger(outputs);
      pending.incrementAndGet();
    }

    void acked() {
      if (unacked.decrementAndGet() == 0) {
        done(inputs);
        finished();
      }
    }
  }

  @Override
  public void submit(OutboxBatch batch) {
    if (batch.outgoing().isEmpty()) {
      done(batch.inputs());
      return;
    }
    InFlight f = new InFlight(batch.inputs(), batch.outgoing().size());
    for (Outgoing o : batch.outgoing()) {
      send(f, o, 0);
    }
    requestFlush();
  }

  /**
   * The whole step is in the producer: send it now, in one request, from another thread (flush blocks
   * until acknowledged; the compute thread goes on). One flush at a time; one more if asked meanwhile.
   */
  private void requestFlush() {
    if (flushPending.compareAndSet(false, true)) {
      retries.execute(() -> {
        flushPending.set(false);
        try {
          producer.flush();
        } catch (RuntimeException e) {
          LOG.debug("flush: {}", e.toString()); // failures reach the send callbacks
        }
      });
    }
  }

  @Override
  public void deadLetter(PolledRecord r, String reason) {
    InFlight f = new InFlight(List.of(r), 1);
    sendRecord(f, records.deadLetter(r.record(), reason), null, 0);
    requestFlush();
  }

  private void send(InFlight f, Outgoing o, int attempt) {
    ProducerRecord<String, byte[]> record;
    try {
      record = records.toRecord(o, f.inputs);
    } catch (RuntimeException e) {
      failed(f, o, null, e, attempt);
      return;
    }
    sendRecord(f, record, o, attempt);
  }

  /** @param o the output, or null for a DLQ record */
  private void sendRecord(InFlight f, ProducerRecord<String, byte[]> record, Outgoing o, int attempt) {
    Callback callback = (metadata, e) -> {
      if (e == null) {
        f.acked();
      } else {
        failed(f, o, record, e, attempt);
      }
    };
    try {
      producer.send(record, callback);
    } catch (RuntimeException e) {
      callback.onCompletion(null, e);
    }
  }

  private void failed(InFlight f, Outgoing o, ProducerRecord<String, byte[]> record, Exception e, int attempt) {
    failedSends.incrementAndGet();
    String topic = record != null ? record.topic() : o.topic();
    if (e instanceof RetriableException && attempt < RETRIES && !health.failed()) {
      LOG.warn("could not send to {} ({}); retry {} of {}", topic, e.toString(), attempt + 1, RETRIES);
      retries.schedule(() -> {
        if (o == null) {
          sendRecord(f, record, null, attempt + 1);
        } else {
          send(f, o, attempt + 1);
        }
      }, 200L << attempt, TimeUnit.MILLISECONDS);
      return;
    }
    Outgoing error = o == null ? null : records.replacement(o, e instanceof org.apache.kafka.common.errors
        .RecordTooLargeException ? "too_large" : "internal", "could not write to " + topic + ": " + e);
    if (error == null) {
      health.fail("writing to " + topic, e); // an ERROR or DLQ record that cannot be written
      return;
    }
    LOG.warn("could not send to {}: {}; the request ends with an ERROR", topic, e.toString());
    requestEnded.accept(o.key());
    send(f, error, 0);
    requestFlush();
  }

  private void finished() {
    synchronized (pending) {
      pending.decrementAndGet();
      pending.notifyAll();
    }
  }

  @Override
  public boolean awaitIdle(long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (pending) {
      while (pending.get() > 0) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0 || health.failed()) {
          return false;
        }
        pending.wait(Math.min(left, 50));
      }
    }
    return true;
  }

  @Override
  void stopSending(boolean flush) {
    if (flush) {
      try {
        awaitIdle(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    retries.shutdownNow();
  }
}
