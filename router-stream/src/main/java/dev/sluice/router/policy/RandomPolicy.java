package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.List;
import java.util.random.RandomGenerator;

/** A uniformly random eligible lane: the baseline every other policy should beat. */
public final class RandomPolicy extends RandomDrawPolicy {
  public static final String NAME = "random";

  public RandomPolicy(RandomGenerator random) {
    super(NAME, random);
  }

  @Override
  int draw(List<Integer> eligible, LaneView view, RandomGenerator random) {
    return eligible.get(random.nextInt(eligible.size()));
  }
}
