package dev.sluice.worker.commit;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once: a lane's offset is committed once every record below it has its outputs
 * acknowledged. One asynchronous commit at a time, at most every {@value #INTERVAL_MS} ms; an offset counts as committed only when the
 * broker confirmed it, so a failed commit is simply made again after the next poll.
 */
public final class AtLeastOnceCommitter implements OffsetCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceCommitter.class);
  /**
   * Commits at most this often (a commit per poll would be hundreds of requests a second to the group
   * coordinator, on the broker every hop goes through); a crash re-reads at most this much more.
   */
  static final long INTERVAL_MS = 100;

  private final OffsetTracker tracker;
  private final String workerId;
  private final AtomicLong failures = new AtomicLong();
  private boolean inFlight;
  private long lastCommitMs;

  public AtLeastOnceCommitter(OffsetTracker tracker, String workerId) {
    this.tracker = tracker;
    this.workerId = workerId;
  }

  @Override
  public void afterPoll(Consumer<?, ?> consumer) {
    long now = System.currentTimeMillis();
    if (inFlight || now - lastCommitMs < INTERVAL_MS) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable();
    if (offsets.isEmpty()) {
      return;
    }
    inFlight = true;
    lastCommitMs = now;
    consumer.commitAsync(offsets, (done, e) -> { // runs on the fetch thread, inside a later poll
      inFlight = false;
      if (e == null) {
        tracker.committed(offsets);
      } else {
        failures.incrementAndGet();
        LOG.info("worker {}: commit failed, retrying after the next poll: {}", workerId, e.toString());
      }
    });
  }

  @Override
  public void commitNow(Consumer<?, ?> consumer) {
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.committable();
    if (offsets.isEmpty()) {
      return;
    }
    try {
      commitSync(consumer, offsets);
      tracker.committed(offsets);
    } catch (KafkaException e) {
      failures.incrementAndGet();
      LOG.warn("worker {}: commit failed; the lanes' next owner re-reads from the last commit: {}", workerId,
          e.toString());
    }
  }

  /**
   * A graceful stop wakes the consumer ({@code wakeup()}) to end its poll; when the fetch thread was
   * not in poll then, the wakeup is still pending and the final commit would throw it instead of
   * committing. It is spent once thrown, so the commit is made again.
   */
  private static void commitSync(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException pendingWakeup) {
      consumer.commitSync(offsets);
    }
  }

  @Override
  public long failures() {
    return failures.get();
  }
}
