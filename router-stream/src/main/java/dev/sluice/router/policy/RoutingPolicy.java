package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.Optional;

/**
 * Chooses the lane of a request. Implementations are not thread-safe: the router gives every
 * Streams task its own instance (the bench gives each simulation its own).
 */
public interface RoutingPolicy {

  /** The lane for this request, with why it was chosen; empty when no lane is eligible. */
  Optional<RoutingDecision> decide(RoutingRequest request, LaneView view);

  /** The lane for this request; empty when no lane is eligible. */
  default Optional<Integer> select(RoutingRequest request, LaneView view) {
    return decide(request, view).map(RoutingDecision::lane);
  }

  /** The name used in config ({@code --policy}) and in metric labels. */
  String name();
}
