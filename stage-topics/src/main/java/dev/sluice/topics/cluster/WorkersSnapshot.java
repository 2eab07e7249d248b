package dev.sluice.topics.cluster;

import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The workers at one moment, as a {@link ClusterView} knew them, and what follows from them. The stage
 * count S is the topic layout's (the stage topics that exist), never guessed from heartbeats: a stage
 * whose workers all died is a stage without workers, not a shorter pipeline.
 *
 * <p>A lane is eligible when every stage 0..S-1 has a live worker (READY, not stale) that owns it: a
 * request on a lane without, say, a stage-1 owner would wait in Kafka with nobody to run it.
 *
 * @param atMs the moment, by the reader's clock
 * @param workers every worker heard from and not forgotten, by stage then id
 */
public record WorkersSnapshot(long atMs, List<KnownWorker> workers) {
  public WorkersSnapshot {
    workers = workers.stream()
        .sorted(Comparator.<KnownWorker>comparingInt(w -> w.status().getStage()).thenComparing(w -> w.status().getWorkerId()))
        .toList();
  }

  /** The same moment with only the workers whose heartbeat passes the test (the others are ignored). */
  public WorkersSnapshot only(Predicate<WorkerStatus> test) {
    return new WorkersSnapshot(atMs, workers.stream().filter(w -> test.test(w.status())).toList());
  }

  /** Heartbeats of the live workers (READY, not stale). */
  public List<WorkerStatus> live() {
    return workers.stream().filter(KnownWorker::live).map(KnownWorker::status).toList();
  }

  /** Workers that are not stale, whatever their state. */
  public long heardRecently() {
    return workers.stream().filter(w -> !w.stale()).count();
  }

  /** For each lane 0..lanes-1: does every stage 0..stages-1 have a live owner of it? */
  public boolean[] eligibleLanes(int stages, int lanes) {
    boolean[][] owned = new boolean[stages][lanes];
    for (WorkerStatus w : live()) {
      if (w.getStage() < 0 || w.getStage() >= stages) continue;
      for (int lane : w.getLanes()) if (lane >= 0 && lane < lanes) owned[w.getStage()][lane] = true;
    }
    boolean[] eligible = new boolean[lanes];
    for (int lane = 0; lane < lanes; lane++) {
      boolean all = stages > 0;
      for (int s = 0; s < stages && all; s++) all = owned[s][lane];
      eligible[lane] = all;
    }
    return eligible;
  }

  /**
   * Stages of 0..stages-1 whose workers are all gone: this view still remembers a worker of the stage
   * (stale, failed, draining), but none is READY or STARTING and heard recently. Nobody will serve a
   * request there until a worker starts. A stage never heard from is not here: its workers may be
   * starting (a router that has just started, a pipeline coming up).
   */
  public List<Integer> stagesWhoseWorkersAreGone(int stages) {
    Set<Integer> known = new TreeSet<>();
    Set<Integer> present = new TreeSet<>();
    for (KnownWorker w : workers) {
      WorkerState state = w.status().getState();
      known.add(w.status().getStage());
      if (!w.stale() && (state == WorkerState.READY || state == WorkerState.STARTING)) present.add(w.status().getStage());
    }
    List<Integer> gone = new ArrayList<>();
    for (int s = 0; s < stages; s++) if (known.contains(s) && !present.contains(s)) gone.add(s);
    return gone;
  }

  /** Stages that have at least one live worker. */
  public Set<Integer> stagesWithLiveWorkers() {
    Set<Integer> out = new TreeSet<>();
    for (WorkerStatus w : live()) out.add(w.getStage());
    return out;
  }

  /** Records waiting at the workers of each stage that are not stale, as their heartbeats say. */
  public Map<Integer, Long> queuedByStage() {
    Map<Integer, Long> out = new TreeMap<>();
    for (KnownWorker w : workers) {
      if (!w.stale()) out.merge(w.status().getStage(), (long) w.status().getQueueDepth(), Long::sum);
    }
    return out;
  }

  /** The models that workers which are not stale serve. */
  public List<String> liveModels() {
    return workers.stream().filter(w -> !w.stale() && w.status().getModel() != null)
        .map(w -> w.status().getModel()).distinct().sorted().toList();
  }

  /** The first live worker (other than {@code selfId}) that caches blocks of another size than {@code blockSize}. */
  public Optional<String> blockSizeDisagreement(int blockSize, String selfId) {
    for (WorkerStatus w : live()) {
      if (!w.getWorkerId().equals(selfId) && w.getBlockSize() != blockSize) {
        return Optional.of("worker " + w.getWorkerId() + " (stage " + w.getStage() + ") caches blocks of "
            + w.getBlockSize() + " tokens");
      }
    }
    return Optional.empty();
  }
}
