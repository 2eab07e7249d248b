package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.List;
import java.util.Optional;

/** The eligible lanes in turn; the turn is local to this policy instance (one per Streams task). */
public final class RoundRobinPolicy implements RoutingPolicy {
  public static final String NAME = "round_robin";
  private int next;

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    List<Integer> lanes = view.eligibleLanes();
    if (lanes.isEmpty()) return Optional.empty();
    // Walk the lane numbers, not the list, so a lane coming back keeps its place in the turn.
    for (int i = 0; i < view.lanes(); i++) {
      int lane = Math.floorMod(next + i, view.lanes());
      if (view.isEligible(lane)) {
        next = lane + 1;
        return Optional.of(RoutingDecision.balanced(lane));
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return NAME;
  }
}
