package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** A uniformly random eligible lane: the baseline every other policy should beat. */
public final class RandomPolicy implements RoutingPolicy {
  public static final String NAME = "random";
  private final RandomGenerator random;

  public RandomPolicy(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    List<Integer> lanes = view.eligibleLanes();
    if (lanes.isEmpty()) return Optional.empty();
    return Optional.of(RoutingDecision.balanced(lanes.get(random.nextInt(lanes.size()))));
  }

  @Override
  public String name() {
    return NAME;
  }
}
