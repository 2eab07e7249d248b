package dev.sluice.model.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.RandomModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class StagePlannerTest {
  private static final ModelConfig GPT2_SMALL = RandomModel.PRESETS.get("gpt2-small");

  @Test
  void shouldGiveTheLastStageFewerLayersWhenItAlsoRunsAHeavyHead() {
    // GPT-2-small: a layer is ~7.1M multiply-adds per token, the head 38.6M (5.5 layers' worth).
    assertThat(StagePlanner.balanced(GPT2_SMALL, 2)).containsExactly(new LayerRange(0, 9), new LayerRange(9, 12));
    assertThat(StagePlanner.headCost(GPT2_SMALL)).isEqualTo(768L * 50257);
    assertThat(StagePlanner.layerCost(GPT2_SMALL)).isEqualTo(4L * 768 * 768 + 2L * 768 * 3072);
  }

  @Test
  void shouldBalanceByMeasuredStepTimesWhenGivenThem() {
    // a head that costs 3.5 layers rather than its multiply-adds' 5.5 moves one layer to the last stage
    assertThat(StagePlanner.balanced(GPT2_SMALL, 2, new StepCosts(7, 24.5)))
        .containsExactly(new LayerRange(0, 8), new LayerRange(8, 12));
    assertThat(StagePlanner.balanced(GPT2_SMALL, 2, new StepCosts(7, 38.5)))
        .containsExactly(new LayerRange(0, 9), new LayerRange(9, 12));
  }

  @Test
  void shouldMeasureALayerAndTheHeadOfARealModel() {
    java.nio.file.Path stories = java.nio.file.Path.of("../models/stories260K");
    StepCosts costs = StepCosts.measure(stories, 4, 16);
    assertThat(costs.layerMs()).isPositive();
    assertThat(costs.headMs()).isGreaterThanOrEqualTo(0);
    assertThat(StagePlanner.balanced(ModelConfig.read(stories), 2, costs)).hasSize(2);
  }

  @Test
  void shouldCoverEveryLayerOnceInOrder() {
    for (int stages = 1; stages <= GPT2_SMALL.numLayers(); stages++) {
      List<LayerRange> plan = StagePlanner.balanced(GPT2_SMALL, stages);
      assertThat(plan).hasSize(stages);
      assertThat(plan.get(0).start()).isZero();
      assertThat(plan.get(stages - 1).end()).isEqualTo(GPT2_SMALL.numLayers());
      for (int i = 1; i < stages; i++) assertThat(plan.get(i).start()).isEqualTo(plan.get(i - 1).end());
    }
  }

  @Test
  void shouldSplitAModelWithASmallHeadByLayerCount() {
    // stories260K's shape: hidden 64, MLP 172, 5 layers, 8 heads / 4 KV heads, vocab 512 (head < one layer).
    ModelConfig stories = new ModelConfig(dev.sluice.model.Architecture.LLAMA, 512, 64, 172, 5, 8, 4, 512, 1e-5, 10000,
        true, 1, 2);
    assertThat(StagePlanner.balanced(stories, 2)).containsExactly(new LayerRange(0, 3), new LayerRange(3, 5));
    assertThat(StagePlanner.balanced(stories, 5)).hasSize(5).allMatch(r -> r.size() == 1);
    assertThatThrownBy(() -> StagePlanner.balanced(stories, 6)).isInstanceOf(IllegalArgumentException.class);
  }
}
