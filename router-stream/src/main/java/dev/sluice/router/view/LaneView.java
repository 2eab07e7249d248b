package dev.sluice.router.view;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.WorkersSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lanes as the routing policies see them at one moment: which lanes may take a request and how
 * loaded each one is. Immutable; built from a {@link WorkersSnapshot} (eligibility and the stages
 * without workers come from there, by the topic layout's stage count) and the router's own work in
 * flight, or directly in memory by tests and the bench's policy simulation.
 *
 * <p>Load of a lane, as the router sees it ({@link #from(WorkersSnapshot, int, int, double[], double)}):
 * the work waiting at the lane's owners. A worker computes for every lane it owns, so for each stage
 * the owner's load is the larger of the seconds of work this router has in flight on all of that
 * worker's lanes ({@link InFlightWork}) and what its heartbeat reports (queue depth plus active
 * sequences, times the seconds one reported request stands for); the lane's load is its busiest
 * owner's. The in-flight work is exact and fresh for this router's own placements; the heartbeats,
 * a second old, add work other routers or producers put there. Tests and the older callers may also
 * give the load directly, or as heartbeat requests (their per-lane share) plus a per-lane extra.
 */
public final class LaneView {
  private final double[] load;
  private final boolean[] eligible;
  private final List<Integer> stagesWithoutWorkers;
  private final double[] placed;
  private final double prefillTokensPerSecond;

  private LaneView(double[] load, boolean[] eligible) {
    this(load, eligible, List.of());
  }

  private LaneView(double[] load, boolean[] eligible, List<Integer> stagesWithoutWorkers) {
    if (load.length != eligible.length) throw new IllegalArgumentException("load and eligibility differ in lane count");
    this.load = load.clone();
    this.eligible = eligible.clone();
    this.stagesWithoutWorkers = List.copyOf(stagesWithoutWorkers);
    this.placed = new double[load.length];
    this.prefillTokensPerSecond = Double.NaN;
  }

  private LaneView(LaneView view, double[] placed, double prefillTokensPerSecond) {
    this.load = view.load;
    this.eligible = view.eligible;
    this.stagesWithoutWorkers = view.stagesWithoutWorkers;
    this.placed = Arrays.copyOf(placed, view.load.length);
    this.prefillTokensPerSecond = prefillTokensPerSecond;
  }

  /** The same view with the lanes' measured prefill speed (what its loads were computed with). */
  public LaneView withPrefillSpeed(double tokensPerSecond) {
    return new LaneView(this, placed, tokensPerSecond);
  }

  /** The lanes' prefill speed the loads were computed with, or {@code otherwise} when the view has none. */
  public double prefillTokensPerSecond(double otherwise) {
    return Double.isNaN(prefillTokensPerSecond) ? otherwise : prefillTokensPerSecond;
  }

  /**
   * The same view with the work this router has placed on each lane so far (seconds, length L):
   * among lanes that would serve a request equally soon, the one that has been given the least
   * work wins, which evens out the lanes' total work without delaying anyone.
   */
  public LaneView withPlacedWork(double[] placedSeconds) {
    return new LaneView(this, placedSeconds, prefillTokensPerSecond);
  }

  /** Work this router has placed on the lane so far, in seconds (0 when not given). */
  public double placedWork(int lane) {
    return placed[lane];
  }

  /**
   * Stages of the layout whose workers are all gone ({@link WorkersSnapshot#stagesWhoseWorkersAreGone}):
   * a request cannot be served until one starts, so it fails at once with no_workers instead of waiting.
   */
  public List<Integer> stagesWithoutWorkers() {
    return stagesWithoutWorkers;
  }

  /** A view given lane by lane (load per lane; eligible lanes). */
  public static LaneView of(double[] load, boolean[] eligible) {
    return new LaneView(load, eligible);
  }

  /** Every lane eligible, with the given loads. */
  public static LaneView allEligible(double[] load) {
    boolean[] all = new boolean[load.length];
    Arrays.fill(all, true);
    return new LaneView(load, all);
  }

  /** Every lane eligible and idle. */
  public static LaneView idle(int lanes) {
    return allEligible(new double[lanes]);
  }

  /**
   * The view from the cluster: eligibility from {@link WorkersSnapshot#eligibleLanes}, load = the given
   * per-lane load plus each live worker's reported requests shared over its lanes.
   *
   * @param stages the topic layout's stage count S
   * @param lanes lane count L (partitions of every stage topic)
   * @param recentLoad per-lane requests this router placed recently (length L), or null
   */
  public static LaneView from(WorkersSnapshot cluster, int stages, int lanes, double[] recentLoad) {
    return from(cluster, stages, lanes, recentLoad, 1.0, false);
  }

  /**
   * The router's view: load = max(in-flight seconds, heartbeat requests × secondsPerReportedRequest).
   *
   * @param inFlightSeconds this router's work in flight per lane, in seconds (length L)
   * @param secondsPerReportedRequest seconds of work one request in a heartbeat's queue stands for
   */
  public static LaneView from(WorkersSnapshot cluster, int stages, int lanes, double[] inFlightSeconds,
      double secondsPerReportedRequest) {
    return from(cluster, stages, lanes, inFlightSeconds, secondsPerReportedRequest, true);
  }

  private static LaneView from(WorkersSnapshot cluster, int stages, int lanes, double[] own,
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
    return new LaneView(load, cluster.eligibleLanes(stages, lanes), cluster.stagesWhoseWorkersAreGone(stages));
  }

  public int lanes() {
    return load.length;
  }

  public boolean isEligible(int lane) {
    return eligible[lane];
  }

  public double load(int lane) {
    return load[lane];
  }

  /** Eligible lanes in ascending order. */
  public List<Integer> eligibleLanes() {
    List<Integer> out = new ArrayList<>();
    for (int lane = 0; lane < eligible.length; lane++) if (eligible[lane]) out.add(lane);
    return out;
  }

  public boolean hasEligibleLane() {
    for (boolean e : eligible) if (e) return true;
    return false;
  }

  /** Mean load over the eligible lanes (0 when none is eligible). */
  public double averageEligibleLoad() {
    double sum = 0;
    int n = 0;
    for (int lane = 0; lane < eligible.length; lane++) {
      if (eligible[lane]) {
        sum += load[lane];
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /** The same view with one more request counted on {@code lane} (simulations use it). */
  public LaneView withAddedLoad(int lane, double extra) {
    double[] l = load.clone();
    l[lane] += extra;
    return new LaneView(new LaneView(l, eligible), placed, prefillTokensPerSecond);
  }

  @Override
  public String toString() {
    return "LaneView{eligible=" + eligibleLanes() + ", load=" + Arrays.toString(load) + "}";
  }
}
