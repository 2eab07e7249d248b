package dev.sluice.worker.outbox;

import dev.sluice.worker.fetch.PolledRecord;

/**
 * Sends a stage's outputs and finishes their inputs, off the compute thread: any failed send becomes
 * a retry or an ERROR result for its request, never a silently lost event; what cannot be sent at
 * all fails the worker, whose uncommitted inputs are then re-read by the lanes' next owner.
 */
public interface Outbox extends AutoCloseable {
  /** Compute thread: hands over a step's outputs; returns without waiting for the broker. */
  void submit(OutboxBatch batch);

  /** Fetch thread: an unreadable record goes to the DLQ with its reason. */
  void deadLetter(PolledRecord record, String reason);

  /** Waits until everything submitted is acknowledged (or committed); false on timeout. */
  boolean awaitIdle(long timeoutMs) throws InterruptedException;

  /** Sends that failed and were retried or replaced by an ERROR result. */
  long failedSends();

  /** Closes the producer; {@code flush} first waits for what is in flight (a graceful stop). */
  void close(boolean flush);

  @Override
  default void close() {
    close(true);
  }
}
