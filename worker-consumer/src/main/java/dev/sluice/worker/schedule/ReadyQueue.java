package dev.sluice.worker.schedule;

import dev.sluice.worker.fetch.PolledRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Records read by the fetch thread and not yet taken by the compute thread, in arrival order. It is
 * the bounded hand-off between I/O and compute: the fetch thread pauses the lanes while it holds
 * {@code max_queue_size} records. Thread-safe.
 */
public final class ReadyQueue {
  private final LinkedList<PolledRecord> waiting = new LinkedList<>();

  public synchronized void addAll(Collection<PolledRecord> records) {
    if (!records.isEmpty()) {
      waiting.addAll(records);
      notifyAll();
    }
  }

  public synchronized int size() {
    return waiting.size();
  }

  /** A copy of what waits now, oldest first. */
  public synchronized List<PolledRecord> snapshot() {
    return new ArrayList<>(waiting);
  }

  /** Distinct sequences waiting. */
  public synchronized int sequences() {
    Set<String> s = new HashSet<>();
    waiting.forEach(r -> s.add(r.sequence()));
    return s.size();
  }

  /** Waits until at least {@code n} records wait or {@code timeoutMs} passes; the number waiting. */
  public synchronized int awaitSize(int n, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (waiting.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000L), (int) (left % 1_000_000L) % 1_000_000);
    }
    return waiting.size();
  }

  /**
   * Takes up to {@code max} records, oldest first, at most one per sequence (a sequence's steps run
   * in order); records left behind keep their place.
   */
  public synchronized List<PolledRecord> take(int max) {
    List<PolledRecord> batch = new ArrayList<>();
    Set<String> sequences = new HashSet<>();
    Iterator<PolledRecord> it = waiting.iterator();
    while (it.hasNext() && batch.size() < max) {
      PolledRecord r = it.next();
      if (sequences.add(r.sequence())) {
        batch.add(r);
        it.remove();
      }
    }
    return batch;
  }

  /** Removes the waiting records of lanes this worker loses; how many were removed. */
  public synchronized int removePartitions(Collection<TopicPartition> partitions) {
    Set<TopicPartition> lost = new HashSet<>(partitions);
    int before = waiting.size();
    waiting.removeIf(r -> lost.contains(r.partition()));
    return before - waiting.size();
  }

  public synchronized void clear() {
    waiting.clear();
  }

  /** Wakes a waiting taker (shutdown). */
  public synchronized void wakeUp() {
    notifyAll();
  }
}
