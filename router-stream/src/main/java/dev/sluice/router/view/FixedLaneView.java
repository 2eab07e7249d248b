package dev.sluice.router.view;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.WorkersSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link LaneView} fixed at one moment: given lane by lane (tests, the bench's policy simulation) or
 * built from one {@link WorkersSnapshot} and per-lane work in flight, in O(L) (eligibility and the
 * stages without workers come from the snapshot, by the topic layout's stage count). Tests and the
 * older callers may also give the load directly, or as heartbeat requests (their per-lane share) plus
 * a per-lane extra. Immutable; its {@link #byLoad} index is built on first use.
 */
public final class FixedLaneView extends LaneView {
  private LanesByLoad byLoad;

  private FixedLaneView(double[] load, boolean[] eligible, List<Integer> stagesWithoutWorkers, double[] placed,
      double prefillTokensPerSecond, double secondsPerRequest) {
    super(load.length);
    if (load.length != eligible.length) throw new IllegalArgumentException("load and eligibility differ in lane count");
    System.arraycopy(load, 0, this.load, 0, load.length);
    System.arraycopy(placed, 0, this.placed, 0, Math.min(placed.length, load.length));
    this.eligible = eligible.clone();
    this.stagesWithoutWorkers = List.copyOf(stagesWithoutWorkers);
    this.prefillTokensPerSecond = prefillTokensPerSecond;
    this.secondsPerRequest = secondsPerRequest;
    List<Integer> lanes = new ArrayList<>();
    for (int lane = 0; lane < eligible.length; lane++) if (eligible[lane]) lanes.add(lane);
    this.eligibleLanes = List.copyOf(lanes);
  }

  /** A view given lane by lane (load per lane; eligible lanes). */
  static FixedLaneView of(double[] load, boolean[] eligible, List<Integer> stagesWithoutWorkers) {
    return new FixedLaneView(load, eligible, stagesWithoutWorkers, new double[load.length], Double.NaN, 0);
  }

  /** Another view's lanes as they are now. */
  static FixedLaneView copyOf(LaneView view) {
    int lanes = view.lanes();
    double[] load = new double[lanes];
    boolean[] eligible = new boolean[lanes];
    double[] placed = new double[lanes];
    for (int lane = 0; lane < lanes; lane++) {
      load[lane] = view.load(lane);
      eligible[lane] = view.isEligible(lane);
      placed[lane] = view.placedWork(lane);
    }
    return new FixedLaneView(load, eligible, view.stagesWithoutWorkers(), placed, view.prefillTokensPerSecond,
        view.secondsPerRequest);
  }

  /** The same view with the lanes' measured prefill speed (what its loads were computed with). */
  public FixedLaneView withPrefillSpeed(double tokensPerSecond) {
    return new FixedLaneView(load, eligible, stagesWithoutWorkers, placed, tokensPerSecond, secondsPerRequest);
  }

  /**
   * The same view with the work this router has placed on each lane so far (seconds, length L):
   * among lanes that would serve a request equally soon, the one that has been given the least
   * work wins, which evens out the lanes' total work without delaying anyone.
   */
  public FixedLaneView withPlacedWork(double[] placedSeconds) {
    return new FixedLaneView(load, eligible, stagesWithoutWorkers, placedSeconds, prefillTokensPerSecond,
        secondsPerRequest);
  }

  /** The same view with the mean work of one request in flight, in seconds ({@link #secondsPerRequest}). */
  public FixedLaneView withSecondsPerRequest(double seconds) {
    return new FixedLaneView(load, eligible, stagesWithoutWorkers, placed, prefillTokensPerSecond, seconds);
  }

  @Override
  public FixedLaneView withAddedLoad(int lane, double extra) {
    double[] l = load.clone();
    l[lane] += extra;
    return new FixedLaneView(l, eligible, stagesWithoutWorkers, placed, prefillTokensPerSecond, secondsPerRequest);
  }

  /**
   * The same view with placed work as the router keeps it ({@link LaneView}): per lane, the largest sum
   * of {@code perLane} over the lanes of one of its live owners in {@code cluster} (0 for a lane nobody owns).
   */
  public FixedLaneView withOwnersPlacedWork(WorkersSnapshot cluster, double[] perLane) {
    double[] owners = new double[load.length];
    for (WorkerStatus w : cluster.live()) {
      int[] lanes = w.getLanes().stream().mapToInt(Integer::intValue).filter(l -> l >= 0 && l < load.length).toArray();
      double sum = 0;
      for (int lane : lanes) sum += perLane[lane];
      for (int lane : lanes) owners[lane] = Math.max(owners[lane], sum);
    }
    return withPlacedWork(owners);
  }

  /** See {@link LaneView#from(WorkersSnapshot, int, int, double[], double)}: O(L) from one snapshot. */
  static FixedLaneView from(WorkersSnapshot cluster, int stages, int lanes, double[] own,
      double secondsPerReportedRequest, boolean larger) {
    double[] reported = new double[lanes];
    double[] base = own == null ? new double[lanes] : Arrays.copyOf(own, lanes);
    double[] load = larger ? new double[lanes] : base.clone();
    for (WorkerStatus w : cluster.live()) {
      int ownedLanes = w.getLanes().size();
      if (ownedLanes == 0) continue;
      double share = (double) (w.getQueueDepth() + w.getActiveSequences()) / ownedLanes;
      double workerWork = 0;
      for (int lane : w.getLanes()) if (lane >= 0 && lane < lanes) workerWork += base[lane];
      double workerReported = (w.getQueueDepth() + w.getActiveSequences()) * secondsPerReportedRequest;
      for (int lane : w.getLanes()) {
        if (lane < 0 || lane >= lanes) continue;
        reported[lane] += share * secondsPerReportedRequest;
        // One worker computes for all its lanes: a lane waits behind the work of every lane its owners serve.
        if (larger) load[lane] = Math.max(load[lane], Math.max(workerWork, workerReported));
      }
    }
    if (!larger) for (int lane = 0; lane < lanes; lane++) load[lane] += reported[lane];
    return of(load, cluster.eligibleLanes(stages, lanes), cluster.stagesWhoseWorkersAreGone(stages));
  }

  @Override
  public double averageEligibleLoad() {
    double sum = 0;
    for (int lane : eligibleLanes) sum += load[lane];
    return eligibleLanes.isEmpty() ? 0 : sum / eligibleLanes.size();
  }

  @Override
  public LanesByLoad byLoad() {
    if (byLoad == null) {
      byLoad = new LanesByLoad(load.length);
      for (int lane : eligibleLanes) byLoad.put(lane, load[lane], placed[lane]);
    }
    return byLoad;
  }
}
