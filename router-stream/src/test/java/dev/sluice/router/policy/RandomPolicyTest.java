package dev.sluice.router.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.view.LaneView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RandomPolicyTest {

  @Test
  void shouldPickSeededRandomEligibleLanesAndNeverTheStaleOne() {
    List<Integer> lanes = FixedCluster.lanesChosen(new RandomPolicy(new Random(42)), 12);
    // Replay the same draws onto the eligible lanes [0, 1, 2].
    Random replica = new Random(42);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) expected.add(List.of(0, 1, 2).get(replica.nextInt(3)));
    assertThat(lanes).containsExactlyElementsOf(expected).doesNotContain(3);
    assertThat(lanes).contains(0, 1, 2);
  }

  @Test
  void shouldChooseNothingWhenNoLaneIsEligible() {
    assertThat(new RandomPolicy(new Random(1)).select(FixedCluster.request(1, 20),
        LaneView.of(new double[4], new boolean[4]))).isEmpty();
  }
}
