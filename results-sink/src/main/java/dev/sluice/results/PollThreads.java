package dev.sluice.results;

import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;

/** How a reader stops the thread that polls its results consumer. */
public final class PollThreads {
  private PollThreads() {}

  /**
   * Wakes {@code consumer}'s poll (it throws a WakeupException on the polling thread) and waits up to
   * {@code timeout} for {@code thread} to end; an interrupt while waiting is kept. The caller has told
   * its loop to stop first.
   */
  public static void wakeAndJoin(Consumer<?, ?> consumer, Thread thread, Duration timeout) {
    consumer.wakeup();
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
