package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PowerOfTwoPolicyTest {

  @Test
  void shouldTakeTheLessLoadedOfTwoSeededRandomEligibleLanes() {
    List<Integer> lanes = FixedCluster.lanesChosen(new PowerOfTwoPolicy(new Random(5)), 10);

    // Replay the same draws: two distinct indexes into the eligible lanes [0, 1, 2] (loads 3, 0, 1).
    Random replica = new Random(5);
    double[] load = {3, 0, 1};
    List<Integer> expected = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      int a = replica.nextInt(3);
      int b = replica.nextInt(2);
      if (b >= a) b++;
      expected.add(load[b] < load[a] ? b : a);
    }
    assertThat(lanes).containsExactlyElementsOf(expected);
    // Lane 0 (the busiest) never wins a pair; lane 3 is stale.
    assertThat(lanes).doesNotContain(0, 3);
  }
}
