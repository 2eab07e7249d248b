package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** Two distinct random eligible lanes; the less loaded one wins (the first on a tie). */
public final class PowerOfTwoPolicy implements RoutingPolicy {
  public static final String NAME = "power_of_two";
  private final RandomGenerator random;

  public PowerOfTwoPolicy(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    List<Integer> lanes = view.eligibleLanes();
    if (lanes.isEmpty()) return Optional.empty();
    if (lanes.size() == 1) return Optional.of(RoutingDecision.balanced(lanes.get(0)));
    int i = random.nextInt(lanes.size());
    int j = random.nextInt(lanes.size() - 1);
    if (j >= i) j++; // distinct from i
    int a = lanes.get(i);
    int b = lanes.get(j);
    return Optional.of(RoutingDecision.balanced(view.load(b) < view.load(a) ? b : a));
  }

  @Override
  public String name() {
    return NAME;
  }
}
