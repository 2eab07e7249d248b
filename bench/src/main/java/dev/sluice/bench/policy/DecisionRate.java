package dev.sluice.bench.policy;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.InMemoryPrefixIndex;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.router.policy.RoutingPolicy;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.router.view.LaneView;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.ClusterView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Routing decisions per second on one thread: a policy over an index holding {@code prefixes}
 * families of {@code blocksPerPrompt} blocks, on {@code lanes} lanes served by one worker each (one
 * stage), each decision with the view the router builds for it (heartbeats + in-flight table). The
 * index is the in-memory one the simulation uses; the router's changelogged store adds its own cost.
 */
public final class DecisionRate {
  private DecisionRate() {}

  /** @return decisions per second (after a warm-up of the same length) */
  public static double measure(String policyName, int lanes, int prefixes, int blocksPerPrompt, int decisions) {
    Random random = new Random(7);
    InMemoryPrefixIndex index = new InMemoryPrefixIndex(prefixes * blocksPerPrompt * 2);
    RoutingPolicy policy = RoutingPolicies.create(policyName,
        new RoutingPolicies.Inputs(random, index, index, CacheAwareParams.DEFAULTS, 1));
    List<RoutingRequest> requests = new ArrayList<>();
    for (int f = 0; f < prefixes; f++) {
      int[] tokens = new int[blocksPerPrompt * 16 + 4];
      for (int t = 0; t < tokens.length; t++) tokens[t] = 3 + Math.floorMod(f * 7919 + t * 31 + (t > tokens.length - 5 ? f : 0), 30_000);
      requests.add(RoutingRequest.of("r" + f, tokens, "m", null, 16));
    }
    ClusterView workers = new ClusterView(Duration.ofMinutes(1), Duration.ofMinutes(1));
    long now = System.currentTimeMillis();
    for (int lane = 0; lane < lanes; lane++) {
      workers.heard("w" + lane, WorkerStatus.newBuilder().setWorkerId("w" + lane).setStage(0).setLayerStart(0).setLayerEnd(1)
          .setLanes(new ArrayList<>(List.of(lane))).setQueueDepth(random.nextInt(4)).setState(WorkerState.READY)
          .setModel("m").setTimestampMs(now).build(), now);
    }
    Router router = new Router(policy, lanes, workers, now);
    for (RoutingRequest r : requests) router.decide(r); // fills the index
    for (int i = 0; i < decisions; i++) router.decide(requests.get(random.nextInt(prefixes)));
    long start = System.nanoTime();
    for (int i = 0; i < decisions; i++) router.decide(requests.get(random.nextInt(prefixes)));
    return decisions / ((System.nanoTime() - start) / 1e9);
  }

  /** What the routing processor does per request, minus Kafka: view, decision, placement; ~64 requests in flight. */
  private static final class Router {
    final RoutingPolicy policy;
    final int lanes;
    final ClusterView workers;
    final long now;
    final InFlightWork inFlight;
    final java.util.ArrayDeque<String> order = new java.util.ArrayDeque<>();
    long next;

    Router(RoutingPolicy policy, int lanes, ClusterView workers, long now) {
      this.policy = policy;
      this.lanes = lanes;
      this.workers = workers;
      this.now = now;
      this.inFlight = new InFlightWork(lanes);
    }

    void decide(RoutingRequest r) {
      LaneView view = LaneView.from(workers.snapshot(now), 1, lanes, inFlight.secondsPerLane(1000, 0.01), 0.1)
          .withPlacedWork(inFlight.placedSecondsPerLane(1000, 0.01));
      int lane = policy.decide(r, view).orElseThrow().lane();
      String id = "p" + next++;
      inFlight.placed(new InFlightWork.Placement(id, lane, r.promptTokens(), 16, 8, now, "m", now, null));
      order.addLast(id);
      if (order.size() > 64) inFlight.finished(order.pollFirst());
    }
  }
}
