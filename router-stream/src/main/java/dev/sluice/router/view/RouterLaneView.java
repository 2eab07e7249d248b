package dev.sluice.router.view;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.topics.cluster.KnownWorker;
import dev.sluice.topics.cluster.WorkersSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The router's {@link LaneView}, kept up to date between decisions instead of built for each one. The
 * loads are those of {@link LaneView#from(WorkersSnapshot, int, int, double[], double)} (a lane waits
 * behind the busiest of its owners: the larger of this router's work in flight on all the owner's lanes
 * and the owner's reported queue), kept in three parts that change at different times:
 *
 * <ul>
 *   <li>Heartbeats (who owns which lane, the reported queues, eligibility, the stages without workers):
 *       a heartbeat that changes only a live worker's queue ({@link ClusterView#changesSince} names the
 *       worker) moves that worker's lanes, O(lanes per owner × log L). Any other change (a worker
 *       joining, leaving, changing state or lanes, a tombstone) or the clock passing a moment at which a
 *       worker turns stale or forgotten ({@link ClusterView#unchangedUntilMs}) reads a new snapshot
 *       and every lane again, O(L log L).
 *   <li>Work in flight and placed work: only the lanes whose totals in {@link InFlightWork} changed since
 *       the last decision ({@link InFlightWork#changesSince}) are re-read; a changed lane re-reads its
 *       owners' work and placed work (the sums over their lanes) and moves each lane of those owners
 *       in {@link #byLoad}, O(lanes per owner × log L). With one worker per lane and stage that is O(log L) per change.
 *   <li>The mean work of one request in flight ({@link #secondsPerRequest}): a running sum of the lanes'
 *       work in flight over the table's size, O(1).
 *   <li>The lane speed the tokens in flight are turned into seconds with: re-read at most once a
 *       second ({@link #SPEED_REREAD_MS}; it is an average over dozens of requests), and when it moved,
 *       every lane is re-read, O(L log L).
 * </ul>
 *
 * So a decision pays for the heartbeats, results and placements that arrived since the previous one,
 * never for the lanes that did not change. Not thread-safe: one per routing task, used on its thread.
 */
public final class RouterLaneView extends LaneView {
  /** The lane speed is re-read at most this often. */
  public static final long SPEED_REREAD_MS = 1_000;

  private final ClusterView cluster;
  private final Predicate<WorkerStatus> routable;
  private final int stages;
  private final InFlightWork inFlight;
  private final double secondsPerReportedRequest;

  // heartbeats
  private long clusterChanges = -1;
  private long unchangedUntilMs = Long.MIN_VALUE;
  /** ownersOf[lane] = indexes into workerLanes/reported of the live workers that own it. */
  private int[][] ownersOf;
  /** The lanes each live worker owns (as its heartbeat lists them, those in 0..L-1). */
  private int[][] workerLanes = new int[0][];
  /** Index (into workerLanes, reported) of each live worker, by id, with the heartbeat it was read from. */
  private final Map<String, Integer> workerIndex = new HashMap<>();
  private KnownWorker[] workerStatus = new KnownWorker[0];
  private double[] reported = new double[0];

  // work in flight
  private long inFlightChanges;
  private double decodeSecondsPerToken;
  private long speedReadAtMs = Long.MIN_VALUE;
  private final double[] inFlightSeconds;
  /** Sum of inFlightSeconds, kept with each lane's change and summed again with every lane. */
  private double inFlightTotal;
  private double[] workerWork = new double[0];
  /** Per lane: the work this router placed on the lane itself; placed[lane] is its busiest owner's sum. */
  private final double[] lanePlaced;
  private double[] workerPlaced = new double[0];
  private final LanesByLoad byLoad;

  // scratch of one update
  private final boolean[] laneMarked;
  private boolean[] workerMarked = new boolean[0];

  /**
   * @param routable the workers this router routes to (the others' heartbeats are ignored)
   * @param stages the topic layout's stage count S
   * @param lanes lane count L
   * @param secondsPerReportedRequest seconds of work one request in a heartbeat's queue stands for
   */
  public RouterLaneView(ClusterView cluster, Predicate<WorkerStatus> routable, int stages, int lanes, InFlightWork inFlight,
      double secondsPerReportedRequest) {
    super(lanes);
    this.cluster = cluster;
    this.routable = routable;
    this.stages = stages;
    this.inFlight = inFlight;
    this.secondsPerReportedRequest = secondsPerReportedRequest;
    this.ownersOf = new int[lanes][0];
    this.inFlightSeconds = new double[lanes];
    this.lanePlaced = new double[lanes];
    this.byLoad = new LanesByLoad(lanes);
    this.laneMarked = new boolean[lanes];
  }

  /** Brings the view up to {@code nowMs} (see the class comment for what that costs) and returns it. */
  public RouterLaneView at(long nowMs) {
    List<Integer> queuesChanged = nowMs < unchangedUntilMs ? queuesChanged(nowMs) : null;
    if (queuesChanged == null) {
      readHeartbeats(nowMs);
      readSpeed(nowMs);
      readEveryLane();
    } else if (nowMs - speedReadAtMs >= SPEED_REREAD_MS && readSpeed(nowMs)) {
      readEveryLane();
    } else {
      readChangedLanes(queuesChanged);
    }
    int requests = inFlight.size();
    secondsPerRequest = requests > 0 ? Math.max(0, inFlightTotal) / requests : 0;
    return this;
  }

  /**
   * Takes in the heartbeats heard since the last look when all they change is live workers' queues:
   * returns those workers (their lanes are to move), or null when another change calls for a new snapshot.
   */
  private List<Integer> queuesChanged(long nowMs) {
    ClusterView.Changes changes = cluster.changesSince(clusterChanges);
    if (changes.workerIds() == null) return null;
    List<Integer> changed = new ArrayList<>();
    for (String id : changes.workerIds()) {
      Integer w = workerIndex.get(id);
      KnownWorker now = cluster.worker(id, nowMs).orElse(null);
      if (w == null || now == null || !now.live() || !routable.test(now.status())) return null;
      KnownWorker before = workerStatus[w];
      // heard earlier than before (a replay), it would turn stale before the moment this view waits for
      if (now.heardAtMs() < before.heardAtMs() || now.status().getStage() != before.status().getStage()
          || !now.status().getLanes().equals(before.status().getLanes())) {
        return null;
      }
      workerStatus[w] = now;
      reported[w] = reportedSeconds(now.status());
      if (!changed.contains(w)) changed.add(w);
    }
    clusterChanges = changes.upTo();
    return changed;
  }

  private double reportedSeconds(WorkerStatus status) {
    return (status.getQueueDepth() + status.getActiveSequences()) * secondsPerReportedRequest;
  }

  private void readHeartbeats(long nowMs) {
    clusterChanges = cluster.changes(); // first: a change after this is looked at next time
    unchangedUntilMs = cluster.unchangedUntilMs(nowMs);
    WorkersSnapshot snapshot = cluster.snapshot(nowMs).only(routable);
    List<KnownWorker> known = snapshot.workers().stream().filter(KnownWorker::live).toList();
    List<WorkerStatus> live = known.stream().map(KnownWorker::status).toList();
    workerLanes = new int[live.size()][];
    workerStatus = known.toArray(new KnownWorker[0]);
    workerIndex.clear();
    reported = new double[live.size()];
    List<List<Integer>> owners = new ArrayList<>(lanes());
    for (int lane = 0; lane < lanes(); lane++) owners.add(new ArrayList<>(1));
    for (int w = 0; w < live.size(); w++) {
      WorkerStatus status = live.get(w);
      workerLanes[w] = status.getLanes().stream().mapToInt(Integer::intValue).filter(lane -> lane >= 0 && lane < lanes()).toArray();
      reported[w] = reportedSeconds(status);
      workerIndex.put(status.getWorkerId(), w);
      for (int lane : workerLanes[w]) if (!owners.get(lane).contains(w)) owners.get(lane).add(w);
    }
    for (int lane = 0; lane < lanes(); lane++) ownersOf[lane] = owners.get(lane).stream().mapToInt(Integer::intValue).toArray();
    workerWork = new double[live.size()];
    workerPlaced = new double[live.size()];
    workerMarked = new boolean[live.size()];
    eligible = snapshot.eligibleLanes(stages, lanes());
    List<Integer> eligibleNow = new ArrayList<>();
    for (int lane = 0; lane < lanes(); lane++) if (eligible[lane]) eligibleNow.add(lane);
    eligibleLanes = List.copyOf(eligibleNow);
    stagesWithoutWorkers = List.copyOf(snapshot.stagesWhoseWorkersAreGone(stages));
  }

  /** Reads the lane speed; true when it differs from the one the loads were computed with. */
  private boolean readSpeed(long nowMs) {
    speedReadAtMs = nowMs;
    double prefill = inFlight.speed().prefillTokensPerSecond();
    double decode = inFlight.speed().decodeSecondsPerToken();
    boolean moved = prefill != prefillTokensPerSecond || decode != decodeSecondsPerToken;
    prefillTokensPerSecond = prefill;
    decodeSecondsPerToken = decode;
    return moved;
  }

  private void readEveryLane() {
    inFlightChanges = inFlight.changeNumber(); // first: a change after this is read again next time
    for (int lane = 0; lane < lanes(); lane++) readInFlight(lane);
    inFlightTotal = 0;
    for (double seconds : inFlightSeconds) inFlightTotal += seconds;
    for (int w = 0; w < workerLanes.length; w++) sumWorkerWork(w);
    byLoad.clear();
    for (int lane = 0; lane < lanes(); lane++) placeInOrder(lane);
  }

  /** Moves the lanes whose work in flight changed, and those of {@code queuesChanged} (worker indexes). */
  private void readChangedLanes(List<Integer> queuesChanged) {
    InFlightWork.Changes changes = inFlight.changesSince(inFlightChanges);
    if (changes.lanes() == null) {
      readEveryLane();
      return;
    }
    inFlightChanges = changes.upTo();
    if (changes.lanes().length == 0 && queuesChanged.isEmpty()) return;
    List<Integer> changedLanes = new ArrayList<>();
    List<Integer> changedWorkers = new ArrayList<>();
    for (int w : queuesChanged) mark(workerMarked, w, changedWorkers);
    for (int lane : changes.lanes()) {
      if (!mark(laneMarked, lane, changedLanes)) continue;
      readInFlight(lane);
      for (int w : ownersOf[lane]) mark(workerMarked, w, changedWorkers);
    }
    // the lanes that share an owner with a changed lane wait behind its work too
    for (int w : changedWorkers) {
      workerMarked[w] = false;
      sumWorkerWork(w);
      for (int lane : workerLanes[w]) mark(laneMarked, lane, changedLanes);
    }
    for (int lane : changedLanes) {
      laneMarked[lane] = false;
      placeInOrder(lane);
    }
  }

  /** Adds {@code i} to {@code list} unless marked already; true when it was not. */
  private static boolean mark(boolean[] marked, int i, List<Integer> list) {
    if (marked[i]) return false;
    marked[i] = true;
    list.add(i);
    return true;
  }

  private void readInFlight(int lane) {
    double seconds = inFlight.secondsOn(lane, prefillTokensPerSecond, decodeSecondsPerToken);
    inFlightTotal += seconds - inFlightSeconds[lane];
    inFlightSeconds[lane] = seconds;
    lanePlaced[lane] = inFlight.placedSecondsOn(lane, prefillTokensPerSecond, decodeSecondsPerToken);
  }

  private void sumWorkerWork(int w) {
    double sum = 0;
    double placedSum = 0;
    for (int lane : workerLanes[w]) {
      sum += inFlightSeconds[lane];
      placedSum += lanePlaced[lane];
    }
    workerWork[w] = sum;
    workerPlaced[w] = placedSum;
  }

  /** The lane's load and placed work from its owners', and its place in {@link #byLoad} when eligible. */
  private void placeInOrder(int lane) {
    double busiest = 0;
    double placedMost = 0;
    for (int w : ownersOf[lane]) {
      busiest = Math.max(busiest, Math.max(workerWork[w], reported[w]));
      placedMost = Math.max(placedMost, workerPlaced[w]);
    }
    load[lane] = busiest;
    placed[lane] = placedMost;
    if (eligible[lane]) byLoad.put(lane, busiest, placed[lane]);
  }

  @Override
  public double averageEligibleLoad() {
    return byLoad.averageLoad();
  }

  @Override
  public LanesByLoad byLoad() {
    return byLoad;
  }
}
