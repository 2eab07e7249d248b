package dev.sluice.router.view;

import static dev.sluice.router.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.CacheAwarePolicy;
import dev.sluice.router.policy.InMemoryPrefixIndex;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.topics.cluster.WorkersSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The router's view kept up to date between decisions is, at every decision, the view built from
 * scratch from a snapshot and the in-flight table (what the router built before), whatever happened
 * in between: heartbeats (changing a worker's lanes and state, or only its queue), tombstones, workers
 * turning stale by the clock alone, placements, results,
 * forgotten placements, and more changes than the in-flight table remembers.
 */
class RouterLaneViewTest {
  private static final int LANES = 12;
  private static final int STAGES = 2;
  private static final double PREFILL = 1000;
  private static final double DECODE = 0.01;
  private static final double REPORTED = 0.1;
  /** A worker that caches by another block size is not routed to (the processor's test). */
  private static final Predicate<WorkerStatus> ROUTABLE = w -> w.getBlockSize() == 16;

  private final Random random = new Random(3);
  private final ClusterView cluster = new ClusterView(Duration.ofSeconds(5), Duration.ofSeconds(30));
  private final InFlightWork inFlight = new InFlightWork(LANES, new LaneSpeed(PREFILL, DECODE));
  private final RouterLaneView view = new RouterLaneView(cluster, ROUTABLE, STAGES, LANES, inFlight, REPORTED);
  private final List<InFlightWork.Placement> placed = new ArrayList<>();
  private final java.util.Map<String, WorkerStatus> lastHeard = new java.util.HashMap<>();
  private long now = 1_000_000L;
  private int next;

  @Test
  void shouldEqualTheViewBuiltFromScratchAfterEveryKindOfChange() {
    CacheAwarePolicy kept = new CacheAwarePolicy(new InMemoryPrefixIndex(10_000), CacheAwareParams.DEFAULTS);
    CacheAwarePolicy fromScratch = new CacheAwarePolicy(new InMemoryPrefixIndex(10_000), CacheAwareParams.DEFAULTS);
    int decided = 0;
    for (int step = 0; step < 2_000; step++) {
      int changes = step % 250 == 0 ? 2_500 : random.nextInt(6); // now and then more than the table remembers
      for (int c = 0; c < changes; c++) change();
      now += random.nextInt(400);
      FixedLaneView expected = fromScratch();
      RouterLaneView actual = view.at(now);
      for (int lane = 0; lane < LANES; lane++) {
        assertThat(actual.load(lane)).as("step %d lane %d load", step, lane).isEqualTo(expected.load(lane));
        assertThat(actual.placedWork(lane)).as("step %d lane %d placed", step, lane).isEqualTo(expected.placedWork(lane));
        assertThat(actual.isEligible(lane)).as("step %d lane %d eligible", step, lane).isEqualTo(expected.isEligible(lane));
      }
      assertThat(actual.eligibleLanes()).isEqualTo(expected.eligibleLanes());
      assertThat(actual.stagesWithoutWorkers()).isEqualTo(expected.stagesWithoutWorkers());
      assertThat(actual.averageEligibleLoad()).isCloseTo(expected.averageEligibleLoad(), org.assertj.core.data.Offset.offset(1e-9));
      assertThat(actual.secondsPerRequest()).as("step %d", step)
          .isCloseTo(expected.secondsPerRequest(), org.assertj.core.data.Offset.offset(1e-9));
      RoutingRequest request = RoutingRequest.of("r" + step, dev.sluice.router.Fixtures.prompt(1 + random.nextInt(30), 40), "m", null, 16);
      assertThat(kept.decide(request, actual)).as("step %d", step).isEqualTo(fromScratch.decide(request, expected));
      if (actual.hasEligibleLane()) decided++;
    }
    assertThat(decided).as("lanes were eligible most of the time").isGreaterThan(1_000);
  }

  @Test
  void shouldCountTheWorkPlacedOnALaneForEveryLaneOfItsOwnerSoThatANewPrefixGoesToTheWorkerGivenLess() {
    List<Integer> first = List.of(0, 1, 2, 3, 4, 5);
    List<Integer> second = List.of(6, 7, 8, 9, 10, 11);
    for (int stage = 0; stage < STAGES; stage++) {
      cluster.heard("a" + stage, worker("a" + stage, stage, first, 0, now), now);
      cluster.heard("b" + stage, worker("b" + stage, stage, second, 0, now), now);
    }
    inFlight.placed(new InFlightWork.Placement("served", 2, 300, 300, 4, now, "m", now, null));
    inFlight.finished("served");
    RouterLaneView lanes = view.at(now);
    for (int lane = 0; lane < LANES; lane++) {
      assertThat(lanes.load(lane)).as("lane %d idle", lane).isZero();
      double givenItsWorker = first.contains(lane) ? 300 / PREFILL + 4 * DECODE : 0;
      assertThat(lanes.placedWork(lane)).as("lane %d placed", lane).isEqualTo(givenItsWorker);
    }
    CacheAwarePolicy policy = new CacheAwarePolicy(new InMemoryPrefixIndex(1_000), CacheAwareParams.DEFAULTS);
    for (int seed = 0; seed < 12; seed++) { // whatever the prefix's home lane
      int lane = policy.decide(RoutingRequest.of("new" + seed, dev.sluice.router.Fixtures.prompt(seed, 40), "m", null, 16), lanes)
          .orElseThrow().lane();
      assertThat(second).as("prefix %d: the idle worker that served nothing", seed).contains(lane);
    }
  }

  @Test
  void shouldTurnTheWorkInFlightIntoSecondsAtTheLaneSpeedReadAtMostOnceASecond() {
    cluster.heard("w", worker("w", 0, List.of(0, 1), 0, now), now);
    inFlight.placed(new InFlightWork.Placement("a", 0, 100, 100, 10, now, "m", now, null));
    assertThat(view.at(now).load(0)).isEqualTo(100 / PREFILL + 10 * DECODE);
    inFlight.speed().decode(1, 0.05); // the first decode sample: 50 ms a token
    assertThat(view.at(now + RouterLaneView.SPEED_REREAD_MS - 1).load(0)).as("read less than a second ago")
        .isEqualTo(100 / PREFILL + 10 * DECODE);
    assertThat(view.at(now + RouterLaneView.SPEED_REREAD_MS).load(0)).isEqualTo(100 / PREFILL + 10 * 0.05);
  }

  /** The view the router built for each decision before: from a snapshot and the in-flight table's arrays. */
  private FixedLaneView fromScratch() {
    double[] work = inFlight.secondsPerLane(PREFILL, DECODE);
    WorkersSnapshot snapshot = cluster.snapshot(now).only(ROUTABLE);
    return LaneView.from(snapshot, STAGES, LANES, work, REPORTED)
        .withOwnersPlacedWork(snapshot, inFlight.placedSecondsPerLane(PREFILL, DECODE)).withPrefillSpeed(PREFILL)
        .withSecondsPerRequest(inFlight.size() == 0 ? 0 : java.util.Arrays.stream(work).sum() / inFlight.size());
  }

  private void change() {
    switch (random.nextInt(10)) {
      case 0 -> heartbeat();
      case 1 -> queueChanged();
      case 2 -> cluster.gone("w" + random.nextInt(8));
      case 3, 4 -> {
        InFlightWork.Placement p = new InFlightWork.Placement("p" + next++, random.nextInt(LANES), 64, random.nextInt(64),
            1 + random.nextInt(20), now, "m", now, null);
        inFlight.placed(p);
        placed.add(p);
      }
      case 5 -> inFlight.tokens(someRequest(), 1 + random.nextInt(3));
      case 6 -> inFlight.progress(someRequest(), random.nextInt(25));
      case 7 -> inFlight.finished(someRequest());
      case 8 -> inFlight.forgetPlacedBefore(now - random.nextInt(20_000));
      default -> inFlight.removeAll(placed.subList(Math.max(0, placed.size() - 3), placed.size()));
    }
  }

  private String someRequest() {
    return placed.isEmpty() ? "none" : placed.get(random.nextInt(placed.size())).requestId();
  }

  /** A worker's next heartbeat with only its queue changed, heard now (or, now and then, as a replay of an older one). */
  private void queueChanged() {
    String id = "w" + random.nextInt(8);
    WorkerStatus last = lastHeard.get(id);
    if (last == null) return;
    WorkerStatus next = WorkerStatus.newBuilder(last).setQueueDepth(random.nextInt(5)).setActiveSequences(random.nextInt(3)).build();
    cluster.heard(id, next, now - (random.nextInt(10) == 0 ? 4_000 + random.nextInt(1_500) : 0));
  }

  /** A heartbeat of one of 8 workers: a random stage, lanes, queue, state, block size; heard now or a while ago. */
  private void heartbeat() {
    String id = "w" + random.nextInt(8);
    List<Integer> lanes = new ArrayList<>();
    for (int lane = 0; lane < LANES; lane++) if (random.nextInt(3) == 0) lanes.add(lane);
    if (random.nextInt(10) == 0) lanes.add(LANES + 1); // a lane outside the layout
    WorkerStatus status = worker(id, random.nextInt(STAGES), lanes, random.nextInt(5), now);
    status.setActiveSequences(random.nextInt(3));
    if (random.nextInt(10) == 0) status.setState(WorkerState.DRAINING);
    if (random.nextInt(15) == 0) status.setBlockSize(32);
    cluster.heard(id, status, now - (random.nextInt(4) == 0 ? random.nextInt(7_000) : 0));
    lastHeard.put(id, status);
  }
}
