package dev.sluice.worker.schedule;

import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.worker.LruMap;
import dev.sluice.worker.fetch.PolledRecord;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The batch rule of the compute thread (see {@link Scheduler} for why):
 * <ol>
 *   <li>cap = min(max_batch_size, ceil(expected / S)), expected = sequences served in the last second
 *       plus the sequences waiting that this stage has not served yet (new requests);</li>
 *   <li>records that come from an earlier stage's step carry that step's lanes ({@code stepLanes}):
 *       while some of that step's records on this worker's lanes are still on their way, wait for
 *       them (at most {@value #STRAGGLER_WAIT_MS} ms), so a micro-batch is never split by Kafka's
 *       delivery; once they are all here, run at once;</li>
 *   <li>records that come from the router (no stamp) wait at most batching_window_ms for others;</li>
 *   <li>a micro-batch cut by an earlier stage is not cut again: the cap is at least the number of
 *       records the oldest waiting record's upstream step sent to this worker. Without this rule a
 *       stage that has just started (it has served no sequence yet, so expected is small) splits its
 *       first micro-batches into pieces, and every piece then costs a whole step at every stage.</li>
 * </ol>
 */
final class MicroBatcher {
  static final long STRAGGLER_WAIT_MS = 30;
  private static final long IDLE_WAIT_MS = 50;
  private static final int REMEMBERED_STEPS = 4096;

  private final ReadyQueue ready;
  private final IntSupplier recentSequences;
  private final Predicate<String> served;
  private final Supplier<Set<Integer>> ownLanes;
  private final BatchLimits limits;
  /** Records taken so far per upstream step, for steps whose records arrive in more than one poll. */
  private final Map<String, Integer> taken = new LruMap<>(256, REMEMBERED_STEPS);
  private int expected;

  /**
   * @param recentSequences sequences this stage served in the last second
   * @param served whether this stage holds a sequence (its request id) already
   */
  MicroBatcher(ReadyQueue ready, IntSupplier recentSequences, Predicate<String> served,
      Supplier<Set<Integer>> ownLanes, BatchLimits limits) {
    this.ready = ready;
    this.recentSequences = recentSequences;
    this.served = served;
    this.ownLanes = ownLanes;
    this.limits = limits;
  }

  /** Sequences this stage expected at the last batch: fewer than S means the stages take turns. */
  int expected() {
    return expected;
  }

  /** The records of the next step; empty when nothing is ready. */
  List<PolledRecord> next() throws InterruptedException {
    if (ready.awaitSize(1, IDLE_WAIT_MS) == 0) {
      return List.of();
    }
    List<PolledRecord> waiting = ready.snapshot();
    expected = recentSequences.getAsInt() + newSequences(waiting);
    int cap = Math.max(1, Math.min(limits.maxBatchSize(), (expected + limits.stages() - 1) / limits.stages()));
    if (!waiting.isEmpty()) {
      cap = Math.max(cap, Math.min(limits.maxBatchSize(), dueHere(waiting.get(0).work())));
    }
    long start = System.nanoTime();
    while (ready.size() < cap) {
      long waited = (System.nanoTime() - start) / 1_000_000L;
      int missing = missing(ready.snapshot());
      long limit = missing > 0 ? STRAGGLER_WAIT_MS : missing == 0 ? 0 : limits.batchingWindowMs();
      if (waited >= limit) {
        break;
      }
      ready.awaitSize(ready.size() + 1, Math.max(1, Math.min(limit - waited, 2)));
    }
    List<PolledRecord> batch = ready.take(cap);
    for (PolledRecord r : batch) {
      String step = upstreamStep(r.work());
      if (step != null) {
        taken.merge(step, 1, Integer::sum);
      }
    }
    return batch;
  }

  /** Distinct sequences among {@code waiting} that this stage has not served yet. */
  private int newSequences(List<PolledRecord> waiting) {
    Set<String> fresh = new HashSet<>();
    for (PolledRecord r : waiting) {
      if (!served.test(r.sequence())) {
        fresh.add(r.sequence());
      }
    }
    return fresh.size();
  }

  /**
   * Records of the upstream steps seen in {@code waiting} that are not here yet; -1 when a waiting
   * record has no upstream step (it came from the router: the batching window applies).
   */
  private int missing(List<PolledRecord> waiting) {
    Set<Integer> lanes = ownLanes.get();
    Map<String, Integer> here = new HashMap<>();
    Map<String, Integer> due = new HashMap<>();
    for (PolledRecord r : waiting) {
      StageWork w = r.work();
      String step = upstreamStep(w);
      if (step == null) {
        return -1;
      }
      here.merge(step, 1, Integer::sum);
      due.computeIfAbsent(step, s -> dueHere(w, lanes));
    }
    int missing = 0;
    for (Map.Entry<String, Integer> e : due.entrySet()) {
      missing += Math.max(0, e.getValue() - here.get(e.getKey()) - taken.getOrDefault(e.getKey(), 0));
    }
    return missing;
  }

  /** Records of {@code w}'s upstream step bound for this worker's lanes; 0 without an upstream step. */
  private int dueHere(StageWork w) {
    return upstreamStep(w) == null ? 0 : dueHere(w, ownLanes.get());
  }

  private static int dueHere(StageWork w, Set<Integer> lanes) {
    List<Integer> stepLanes = w.getStamps().get(w.getStamps().size() - 1).getStepLanes();
    return (int) stepLanes.stream().filter(lanes::contains).count();
  }

  /** The step of the previous stage that sent this record, or null (router records, rebuild requests). */
  private static String upstreamStep(StageWork w) {
    if (w == null || w.getStamps().isEmpty()) {
      return null;
    }
    StageStamp s = w.getStamps().get(w.getStamps().size() - 1);
    if (s.getStepLanes().isEmpty()) {
      return null;
    }
    return s.getStage() + "/" + s.getWorkerId() + "/" + s.getStartedAtMs() + "/" + s.getSentAtMs();
  }
}
