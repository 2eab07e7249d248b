package dev.sluice.router.view;

import dev.sluice.topics.cluster.WorkersSnapshot;
import java.util.Arrays;
import java.util.List;

/**
 * The lanes as the routing policies see them at one moment: which lanes may take a request, how
 * loaded each one is, the work this router has placed on each one's owners so far, and the eligible
 * lanes ordered by load ({@link #byLoad}), so that a policy can find the least loaded lanes without
 * walking every lane. Two kinds: the router's {@link RouterLaneView}, kept up to date from the heartbeats and the
 * in-flight table between decisions (O(1) to get, per decision), and {@link FixedLaneView}, fixed at
 * one moment (tests, the bench's policy simulation; O(L) to build).
 *
 * <p>Load of a lane, as the router sees it: the work waiting at the lane's owners. A worker computes
 * for every lane it owns, so for each stage the owner's load is the larger of the seconds of work this
 * router has in flight on all of that worker's lanes ({@link InFlightWork}) and what its heartbeat
 * reports (queue depth plus active sequences, times the seconds one reported request stands for); the
 * lane's load is its busiest owner's. The in-flight work is exact and fresh for this router's own
 * placements; the heartbeats, a second old, add work other routers or producers put there.
 *
 * <p>Placed work of a lane, the same way: the seconds of work this router has given all the lanes of
 * the lane's owner so far, its busiest owner's. It breaks ties between equally loaded lanes, so that
 * the workers, not just the lanes, get even shares of the work: by the lanes' own totals, an idle
 * worker that took much work on one of its lanes would tie on its other lanes with one that took none.
 *
 * <p>A policy uses a view within its decision only (the router's changes it after the decision).
 */
public abstract class LaneView {
  /** Per lane (length L): seconds of work waiting at its owners, and work this router gave its owners so far. */
  final double[] load;
  final double[] placed;
  boolean[] eligible;
  List<Integer> eligibleLanes = List.of();
  List<Integer> stagesWithoutWorkers = List.of();
  /** The lanes' prefill speed the loads were computed with; NaN when not given. */
  double prefillTokensPerSecond = Double.NaN;
  /** Mean seconds of work of one request this router has in flight; 0 when none or not given. */
  double secondsPerRequest;

  LaneView(int lanes) {
    this.load = new double[lanes];
    this.placed = new double[lanes];
    this.eligible = new boolean[lanes];
  }

  /** Mean load over the eligible lanes (0 when none is eligible). */
  public abstract double averageEligibleLoad();

  /** The eligible lanes by load, then placed work, then number. */
  public abstract LanesByLoad byLoad();

  /** Lane count L. */
  public final int lanes() {
    return load.length;
  }

  public final boolean isEligible(int lane) {
    return eligible[lane];
  }

  /** Seconds of work waiting at the lane's owners (see above). */
  public final double load(int lane) {
    return load[lane];
  }

  /** Work this router has placed on the lane's owners so far, in seconds (see above; 0 when not given). */
  public final double placedWork(int lane) {
    return placed[lane];
  }

  /** Eligible lanes in ascending order (unmodifiable). */
  public final List<Integer> eligibleLanes() {
    return eligibleLanes;
  }

  public final boolean hasEligibleLane() {
    return !eligibleLanes.isEmpty();
  }

  /** The lanes' prefill speed the loads were computed with, or {@code otherwise} when the view has none. */
  public final double prefillTokensPerSecond(double otherwise) {
    return Double.isNaN(prefillTokensPerSecond) ? otherwise : prefillTokensPerSecond;
  }

  /**
   * Mean seconds of work still to do of one request this router has in flight (its in-flight work over
   * its requests in flight): the size of "one request" now, in the loads' units; 0 when none is in flight.
   */
  public final double secondsPerRequest() {
    return secondsPerRequest;
  }

  /**
   * Stages of the layout whose workers are all gone ({@link WorkersSnapshot#stagesWhoseWorkersAreGone}):
   * a request cannot be served until one starts, so it fails at once with no_workers instead of waiting.
   */
  public final List<Integer> stagesWithoutWorkers() {
    return stagesWithoutWorkers;
  }

  /** A fixed copy of this view with {@code extra} seconds more on {@code lane} (simulations, tests). */
  public LaneView withAddedLoad(int lane, double extra) {
    return FixedLaneView.copyOf(this).withAddedLoad(lane, extra);
  }

  @Override
  public String toString() {
    return "LaneView{eligible=" + eligibleLanes + ", load=" + Arrays.toString(load) + "}";
  }

  /** A view given lane by lane (load per lane; eligible lanes). */
  public static FixedLaneView of(double[] load, boolean[] eligible) {
    return FixedLaneView.of(load, eligible, List.of());
  }

  /** Every lane eligible, with the given loads. */
  public static FixedLaneView allEligible(double[] load) {
    boolean[] all = new boolean[load.length];
    Arrays.fill(all, true);
    return of(load, all);
  }

  /** Every lane eligible and idle. */
  public static FixedLaneView idle(int lanes) {
    return allEligible(new double[lanes]);
  }

  /**
   * The view from one snapshot: eligibility from {@link WorkersSnapshot#eligibleLanes}, load = the given
   * per-lane load plus each live worker's reported requests shared over its lanes.
   *
   * @param stages the topic layout's stage count S
   * @param lanes lane count L (partitions of every stage topic)
   * @param recentLoad per-lane requests this router placed recently (length L), or null
   */
  public static FixedLaneView from(WorkersSnapshot cluster, int stages, int lanes, double[] recentLoad) {
    return FixedLaneView.from(cluster, stages, lanes, recentLoad, 1.0, false);
  }

  /**
   * The router's loads from one snapshot (see above), computed in O(L): load = max(in-flight seconds,
   * heartbeat requests × secondsPerReportedRequest) over the lane's owners. {@link RouterLaneView}
   * computes the same and keeps it up to date.
   *
   * @param inFlightSeconds seconds of work this router has in flight per lane (length L), or null
   */
  public static FixedLaneView from(WorkersSnapshot cluster, int stages, int lanes, double[] inFlightSeconds,
      double secondsPerReportedRequest) {
    return FixedLaneView.from(cluster, stages, lanes, inFlightSeconds, secondsPerReportedRequest, true);
  }
}
