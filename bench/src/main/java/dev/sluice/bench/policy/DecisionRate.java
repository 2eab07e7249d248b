package dev.sluice.bench.policy;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.InMemoryPrefixIndex;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.router.policy.RoutingPolicy;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.router.view.LaneSpeed;
import dev.sluice.router.view.LaneView;
import dev.sluice.router.view.RouterLaneView;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.ClusterView;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Routing decisions per second on one thread: a policy over an index holding {@code prefixes}
 * families of {@code blocksPerPrompt} blocks, on {@code lanes} lanes served by one worker each (one
 * stage), each decision with the view the routing processor uses ({@link RouterLaneView}, kept up to
 * date from the heartbeats and the in-flight table). Between decisions the lanes change as they do in
 * the router: every worker sends a heartbeat once a second (by the wall clock, each with a new queue
 * depth), and each request placed leaves ~64 placements later with a TOKEN result carrying its tokens
 * and its DONE (timed so that the learned lane speed stays at the configured one). The index is the
 * in-memory one the simulation uses; the router's changelogged store adds its own cost.
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
    Router router = new Router(policy, lanes, random);
    for (RoutingRequest r : requests) router.decide(r); // fills the index
    for (int i = 0; i < decisions; i++) router.decide(requests.get(random.nextInt(prefixes)));
    long start = System.nanoTime();
    for (int i = 0; i < decisions; i++) router.decide(requests.get(random.nextInt(prefixes)));
    return decisions / ((System.nanoTime() - start) / 1e9);
  }

  /** What the routing processor does per request, minus Kafka: view, decision, placement; and the lanes' changes. */
  private static final class Router {
    static final double PREFILL_TOKENS_PER_SECOND = 1000;
    static final double DECODE_SECONDS_PER_TOKEN = 0.01;
    static final int MAX_TOKENS = 8;
    static final int IN_FLIGHT = 64;

    final RoutingPolicy policy;
    final int lanes;
    final Random random;
    final ClusterView workers = new ClusterView(Duration.ofMinutes(1), Duration.ofMinutes(1));
    final InFlightWork inFlight;
    final RouterLaneView view;
    final ArrayDeque<InFlightWork.Placement> order = new ArrayDeque<>();
    final long beatEveryNanos;
    long nextBeatAtNanos = System.nanoTime();
    int nextWorker;
    long next;

    Router(RoutingPolicy policy, int lanes, Random random) {
      this.policy = policy;
      this.lanes = lanes;
      this.random = random;
      this.inFlight = new InFlightWork(lanes, new LaneSpeed(PREFILL_TOKENS_PER_SECOND, DECODE_SECONDS_PER_TOKEN));
      this.view = new RouterLaneView(workers, w -> true, 1, lanes, inFlight, CacheAwareParams.DEFAULTS.reportedRequestSeconds());
      this.beatEveryNanos = 1_000_000_000L / lanes;
      for (int lane = 0; lane < lanes; lane++) beat(lane, System.currentTimeMillis());
    }

    void beat(int lane, long now) {
      workers.heard("w" + lane, WorkerStatus.newBuilder().setWorkerId("w" + lane).setStage(0).setLayerStart(0).setLayerEnd(1)
          .setLanes(new ArrayList<>(List.of(lane))).setQueueDepth(random.nextInt(4)).setState(WorkerState.READY)
          .setModel("m").setBlockSize(16).setTimestampMs(now).build(), now);
    }

    void decide(RoutingRequest r) {
      long now = System.currentTimeMillis();
      // one heartbeat per worker per second, spread over the second, as the workers send them
      for (long t = System.nanoTime(); t >= nextBeatAtNanos; nextBeatAtNanos += beatEveryNanos) beat(nextWorker++ % lanes, now);
      LaneView lanesNow = view.at(now);
      int lane = policy.decide(r, lanesNow).orElseThrow().lane();
      InFlightWork.Placement p = new InFlightWork.Placement("p" + next++, lane, r.promptTokens(), 16, MAX_TOKENS, now, "m",
          now, null, lanesNow.load(lane) == 0);
      inFlight.placed(p);
      order.addLast(p);
      if (order.size() > IN_FLIGHT) finish(order.pollFirst());
    }

    /** Its results: the first token after its prefill, the rest one decode step each, then DONE. */
    void finish(InFlightWork.Placement p) {
      long firstTokenAt = p.placedAtMs() + Math.round(p.prefillTokens() * 1000 / PREFILL_TOKENS_PER_SECOND);
      inFlight.tokensAt(p.requestId(), p.maxTokens(), firstTokenAt);
      inFlight.finishedAt(p.requestId(), firstTokenAt + Math.round((p.maxTokens() - 1) * DECODE_SECONDS_PER_TOKEN * 1000));
    }
  }
}
