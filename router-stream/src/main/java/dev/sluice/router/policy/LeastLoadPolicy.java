package dev.sluice.router.policy;

import dev.sluice.router.view.LanesByLoad;
import dev.sluice.router.view.LaneView;
import java.util.Optional;

/**
 * The least loaded eligible lane; ignores the prompt. Among equally loaded lanes, the one this router
 * has given the least work so far, then the lowest lane number ({@link LanesByLoad#leastPlaced}), so
 * that idle lanes take turns instead of lane 0 taking every request that finds the lanes idle.
 * O(log L) per decision, from the view's lanes by load.
 */
public final class LeastLoadPolicy implements RoutingPolicy {
  public static final String NAME = "least_load";

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    LanesByLoad byLoad = view.byLoad();
    double least = byLoad.minLoad(Double.POSITIVE_INFINITY, lane -> false);
    if (Double.isNaN(least)) return Optional.empty();
    int lane = byLoad.leastPlaced(least, Double.POSITIVE_INFINITY, l -> false, 0);
    return lane < 0 ? Optional.empty() : Optional.of(RoutingDecision.balanced(lane));
  }

  @Override
  public String name() {
    return NAME;
  }
}
