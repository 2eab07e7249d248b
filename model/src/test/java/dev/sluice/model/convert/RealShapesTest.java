package dev.sluice.model.convert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init-model's real shapes have exactly the published parameter counts of the models they stand for. */
class RealShapesTest {

  @Test
  void shouldHaveThePublishedParameterCounts() {
    assertThat(TensorLayout.parameters(RandomModel.parseShape("llama3.2-1b"))).isEqualTo(1_235_814_400L);
    assertThat(TensorLayout.parameters(RandomModel.parseShape("smollm2-135m"))).isEqualTo(134_515_008L);
    assertThat(TensorLayout.parameters(RandomModel.parseShape("qwen3-0.6b"))).isEqualTo(596_049_920L);
  }

  @Test
  void shouldWriteTheRealConfigFields() {
    ModelConfig qwen3 = ModelConfig.parse(RandomModel.parseShape("qwen3-0.6b").toJson());
    assertThat(qwen3.modelType()).isEqualTo("qwen3");
    assertThat(qwen3.qkNorm()).isTrue();
    assertThat(qwen3.headDim()).isEqualTo(128);
    ModelConfig llama = ModelConfig.parse(RandomModel.parseShape("llama3.2-1b").toJson());
    assertThat(llama.rope().type()).isEqualTo("llama3");
    assertThat(llama.rope().factor()).isEqualTo(32);
    assertThat(llama).isEqualTo(RandomModel.parseShape("llama3.2-1b"));
  }

  @Test
  void shouldRunAShrunkQwen3ShapeWithItsQkNormTensors(@TempDir Path dir) throws Exception {
    ModelConfig small = RandomModel.parseShape("qwen3-0.6b,vocab=300,hidden=64,intermediate=96,layers=2,heads=4,kv_heads=2,head_dim=32");
    RandomModel.write(small, dir, 3, null);
    try (StageModel m = StageModel.load(dir, LayerRange.all(2)); SequenceKv kv = m.newSequence(8)) {
      assertThat(ModelConfig.read(dir).qkNorm()).isTrue();
      float[] logits = m.forward(List.of(StepInput.ofTokens(kv, new int[] {1, 5, 7}))).get(0).logits();
      assertThat(logits).hasSize(300);
    }
  }
}
