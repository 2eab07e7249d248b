package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.Optional;

/**
 * The least loaded eligible lane (the lowest lane number on a tie); ignores the prompt. It walks every
 * eligible lane, O(L) per decision (the view's lanes by load break ties by placed work first, not by
 * lane number).
 */
public final class LeastLoadPolicy implements RoutingPolicy {
  public static final String NAME = "least_load";

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    int best = -1;
    for (int lane : view.eligibleLanes()) {
      if (best < 0 || view.load(lane) < view.load(best)) best = lane;
    }
    return best < 0 ? Optional.empty() : Optional.of(RoutingDecision.balanced(best));
  }

  @Override
  public String name() {
    return NAME;
  }
}
