package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import java.util.List;
import java.util.random.RandomGenerator;

/** Two distinct random eligible lanes; the less loaded one wins (the first on a tie). */
public final class PowerOfTwoPolicy extends RandomDrawPolicy {
  public static final String NAME = "power_of_two";

  public PowerOfTwoPolicy(RandomGenerator random) {
    super(NAME, random);
  }

  @Override
  int draw(List<Integer> eligible, LaneView view, RandomGenerator random) {
    if (eligible.size() == 1) return eligible.get(0);
    int i = random.nextInt(eligible.size());
    int j = random.nextInt(eligible.size() - 1);
    if (j >= i) j++; // distinct from i
    int a = eligible.get(i);
    int b = eligible.get(j);
    return view.load(b) < view.load(a) ? b : a;
  }
}
