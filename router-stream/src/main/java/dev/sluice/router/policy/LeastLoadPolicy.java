package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import dev.sluice.router.view.LanesByLoad;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The least loaded eligible lane; ignores the prompt. Among equally loaded lanes, the one whose owner
 * this router has given the least work so far, then the lowest lane number
 * ({@link LanesByLoad#leastPlaced}), so that idle lanes take turns instead of lane 0 taking every
 * request that finds the lanes idle.
 * O(log L) per decision, from the view's lanes by load.
 */
public final class LeastLoadPolicy implements RoutingPolicy {
  public static final String NAME = "least_load";
  private static final IntPredicate SKIP_NONE = lane -> false;

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    LanesByLoad byLoad = view.byLoad();
    double least = byLoad.minLoad(Double.POSITIVE_INFINITY, SKIP_NONE);
    if (Double.isNaN(least)) return Optional.empty(); // no eligible lane
    // a lane has the least load, so leastPlaced finds one among those at it
    return Optional.of(RoutingDecision.balanced(byLoad.leastPlaced(least, Double.POSITIVE_INFINITY, SKIP_NONE, 0)));
  }

  @Override
  public String name() {
    return NAME;
  }
}
