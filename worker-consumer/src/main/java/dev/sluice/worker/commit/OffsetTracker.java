package dev.sluice.worker.commit;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which polled offsets are finished — their outputs acknowledged by the broker (or committed in a
 * transaction) — and therefore which offsets are safe to commit.
 *
 * <p>Steps of different sequences finish out of offset order, so the committable offset of a lane
 * is its lowest unfinished offset, or one past the highest polled offset when none is unfinished:
 * nothing unprocessed is ever committed (at-least-once). Thread-safe: the fetch thread adds and
 * commits, the outbox marks records done from the producer's callbacks, a revoke waits for its lanes.
 */
public final class OffsetTracker {
  private final Map<TopicPartition, TreeSet<Long>> unfinished = new HashMap<>();
  private final Map<TopicPartition, Long> polledUpTo = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** A record was polled: it holds back its lane's commit until {@link #done}. */
  public synchronized void polled(TopicPartition tp, long offset) {
    unfinished.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
    polledUpTo.merge(tp, offset + 1, Math::max);
  }

  /** The record is finished: its offset no longer holds back the commit. */
  public synchronized void done(TopicPartition tp, long offset) {
    TreeSet<Long> offsets = unfinished.get(tp);
    if (offsets != null && offsets.remove(offset) && offsets.isEmpty()) {
      notifyAll();
    }
  }

  /** Offsets safe to commit that moved past the last recorded commit. */
  public synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : polledUpTo.entrySet()) {
      TreeSet<Long> offsets = unfinished.get(e.getKey());
      long safe = offsets == null || offsets.isEmpty() ? e.getValue() : offsets.first();
      Long last = committed.get(e.getKey());
      if (last == null || safe > last) {
        out.put(e.getKey(), new OffsetAndMetadata(safe));
      }
    }
    return out;
  }

  /** Records a successful commit (called only once the broker confirmed it). */
  public synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, om) -> {
      if (polledUpTo.containsKey(tp)) {
        committed.merge(tp, om.offset(), Math::max);
      }
    });
  }

  /** Unfinished records of these lanes. */
  public synchronized int unfinished(Collection<TopicPartition> partitions) {
    int n = 0;
    for (TopicPartition tp : partitions) {
      TreeSet<Long> offsets = unfinished.get(tp);
      n += offsets == null ? 0 : offsets.size();
    }
    return n;
  }

  /**
   * Waits until no record of these lanes is unfinished but those {@code stillQueued} (never taken
   * for compute), or the timeout passes. True when they finished.
   */
  public synchronized boolean awaitFinished(Collection<TopicPartition> partitions, int stillQueued, long timeoutMs)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (unfinished(partitions) > stillQueued) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(Math.min(left, 50));
    }
    return true;
  }

  /** Forgets lanes this worker no longer owns; their new owner re-reads from the committed offset. */
  public synchronized void forget(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      unfinished.remove(tp);
      polledUpTo.remove(tp);
      committed.remove(tp);
    }
    notifyAll();
  }

  /** Forgets everything (after a rewind to the committed offsets). */
  public synchronized void forgetAll() {
    unfinished.clear();
    polledUpTo.clear();
    committed.clear();
    notifyAll();
  }
}
