package dev.sluice.worker.commit;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * Commits the offsets that {@link OffsetTracker} says are safe. Both methods run on the fetch
 * thread, the only thread that touches the consumer.
 */
public interface OffsetCommitter {
  /** After each poll: commit what became safe, without waiting for the broker. */
  void afterPoll(Consumer<?, ?> consumer);

  /** Before lanes go away and at close: commit what is safe now and wait for the answer. */
  void commitNow(Consumer<?, ?> consumer);

  /** Commits that failed so far (each retried). */
  long failures();
}
