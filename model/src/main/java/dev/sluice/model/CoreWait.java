package dev.sluice.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Time the calling thread spent ready to run but waiting for a CPU core, from Linux's
 * {@code /proc/thread-self/schedstat} (its second field). On a machine whose cores a compute
 * thread shares with I/O threads (the broker, Kafka clients), this is what those threads cost it:
 * every time one of them wakes on the compute thread's core, the forward waits.
 *
 * <p>One instance per thread: it keeps the thread's last reading. Where the file does not exist
 * (not Linux) it reads 0.
 */
public final class CoreWait {
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
  private long last = -1;

  /** Nanoseconds the calling thread waited for a core since its previous call (0 at the first). */
  public long sinceLastNanos() {
    long now = totalNanos();
    long delta = last < 0 ? 0 : Math.max(0, now - last);
    last = now;
    return delta;
  }

  /** Nanoseconds the calling thread has waited for a core since it started; 0 where unknown. */
  public static long totalNanos() {
    try {
      return waitNanos(Files.readString(SCHEDSTAT));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * The second field of a schedstat line ("run-ns wait-ns timeslices"), 0 when it has none. Read once
   * per step on the compute thread, so it is parsed without a regular expression.
   */
  static long waitNanos(String schedstat) {
    int start = schedstat.indexOf(' ');
    if (start < 0) return 0;
    int end = schedstat.indexOf(' ', start + 1);
    try {
      return Long.parseLong(schedstat.substring(start + 1, end < 0 ? schedstat.length() : end).trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
