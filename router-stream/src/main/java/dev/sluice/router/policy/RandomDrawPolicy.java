package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What random and power_of_two share: a load-only choice drawn at random from the eligible lanes. The
 * draw is one uniformly random eligible lane (random's choice) unless a policy draws otherwise. O(1) per
 * decision: the view keeps its list of eligible lanes.
 */
abstract class RandomDrawPolicy implements RoutingPolicy {
  private final String name;
  private final RandomGenerator random;

  RandomDrawPolicy(String name, RandomGenerator random) {
    this.name = name;
    this.random = random;
  }

  @Override
  public final Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    List<Integer> lanes = view.eligibleLanes();
    return lanes.isEmpty() ? Optional.empty() : Optional.of(RoutingDecision.balanced(draw(lanes, view, random)));
  }

  /** The chosen lane, drawn from {@code eligible} (never empty): here one of them, uniformly at random. */
  int draw(List<Integer> eligible, LaneView view, RandomGenerator random) {
    return eligible.get(random.nextInt(eligible.size()));
  }

  @Override
  public final String name() {
    return name;
  }
}
