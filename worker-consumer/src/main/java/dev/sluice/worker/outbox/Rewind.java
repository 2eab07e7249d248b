package dev.sluice.worker.outbox;

/**
 * Starts the stage over from its committed offsets after an aborted transaction: a new fetch epoch
 * (records of the old one are dropped wherever they are), the lanes seeked back, the hot KV and the
 * results memory dropped so the re-run computes and sends everything again.
 */
public interface Rewind {
  /** Returns once the fetch thread has rewound. */
  void rewind() throws InterruptedException;
}
