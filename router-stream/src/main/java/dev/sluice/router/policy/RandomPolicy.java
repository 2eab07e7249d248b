package dev.sluice.router.policy;

import java.util.random.RandomGenerator;

/** A uniformly random eligible lane (RandomDrawPolicy's draw): the baseline every other policy should beat. */
public final class RandomPolicy extends RandomDrawPolicy {
  public static final String NAME = "random";

  public RandomPolicy(RandomGenerator random) {
    super(NAME, random);
  }
}
