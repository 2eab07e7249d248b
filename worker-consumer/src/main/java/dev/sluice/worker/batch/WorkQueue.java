package dev.sluice.worker.batch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Records polled and not yet run, in arrival order, plus what may be committed.
 *
 * <p>A batch takes at most one record per sequence (a sequence's steps must run in order), so
 * records of one lane can finish out of offset order. The committable offset of a lane is therefore
 * its lowest still-waiting offset, or one past the highest polled offset when none waits: nothing
 * unprocessed is ever committed (at-least-once).
 *
 * <p>Used by the worker thread only.
 */
public final class WorkQueue<V> {
  private final LinkedList<ConsumerRecord<String, V>> waiting = new LinkedList<>();
  private final Map<TopicPartition, TreeSet<Long>> waitingOffsets = new HashMap<>();
  private final Map<TopicPartition, Long> polledUpTo = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  public void add(ConsumerRecord<String, V> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    waiting.add(record);
    waitingOffsets.computeIfAbsent(tp, k -> new TreeSet<>()).add(record.offset());
    polledUpTo.merge(tp, record.offset() + 1, Math::max);
  }

  public int size() {
    return waiting.size();
  }

  public boolean isEmpty() {
    return waiting.isEmpty();
  }

  /**
   * Takes up to {@code max} waiting records, oldest first, at most one per sequence key; records
   * left behind keep their place.
   */
  public List<ConsumerRecord<String, V>> takeBatch(int max, Function<ConsumerRecord<String, V>, String> sequenceOf) {
    List<ConsumerRecord<String, V>> batch = new ArrayList<>();
    Set<String> sequences = new HashSet<>();
    Iterator<ConsumerRecord<String, V>> it = waiting.iterator();
    while (it.hasNext() && batch.size() < max) {
      ConsumerRecord<String, V> r = it.next();
      if (sequences.add(sequenceOf.apply(r))) {
        batch.add(r);
        it.remove();
      } else {
        // A later step of a sequence already in this batch must wait: also hold back
        // everything behind it of the same sequence (the set already blocks them).
      }
    }
    return batch;
  }

  /** Marks a taken record as done: its offset no longer holds back the commit. */
  public void done(ConsumerRecord<String, V> record) {
    TreeSet<Long> offsets = waitingOffsets.get(new TopicPartition(record.topic(), record.partition()));
    if (offsets != null) {
      offsets.remove(record.offset());
    }
  }

  /** Offsets safe to commit that moved since the last call. */
  public Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : polledUpTo.entrySet()) {
      TreeSet<Long> offsets = waitingOffsets.get(e.getKey());
      long safe = offsets == null || offsets.isEmpty() ? e.getValue() : offsets.first();
      Long last = committed.get(e.getKey());
      if (last == null || safe > last) {
        out.put(e.getKey(), new OffsetAndMetadata(safe));
      }
    }
    return out;
  }

  /** Records that the offsets were committed. */
  public void markCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, om) -> committed.merge(tp, om.offset(), Math::max));
  }

  /** Forgets waiting records of lanes this worker lost; their new owner re-reads them. */
  public void dropPartitions(Collection<TopicPartition> partitions) {
    Set<TopicPartition> lost = new HashSet<>(partitions);
    waiting.removeIf(r -> lost.contains(new TopicPartition(r.topic(), r.partition())));
    for (TopicPartition tp : lost) {
      waitingOffsets.remove(tp);
      polledUpTo.remove(tp);
      committed.remove(tp);
    }
  }
}
