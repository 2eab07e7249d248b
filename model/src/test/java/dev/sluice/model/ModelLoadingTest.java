package dev.sluice.model;

import dev.sluice.testing.SharedData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.weights.SafetensorsFile;
import dev.sluice.model.weights.SafetensorsWriter;
import dev.sluice.model.weights.TensorDType;
import dev.sluice.model.weights.TensorInfo;
import dev.sluice.model.weights.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoadingTest {

  @Test
  void shouldReadStories260KConfigWithDerivedHeadShape() {
    ModelConfig cfg = ModelConfig.read(SharedData.stories260K());
    assertThat(cfg.architecture()).isEqualTo(Architecture.LLAMA);
    assertThat(cfg.headDim()).isEqualTo(8);
    assertThat(cfg.kvGroups()).isEqualTo(2);
    assertThat(cfg.tieWordEmbeddings()).isTrue();
    assertThat(ModelConfig.parse(cfg.toJson())).isEqualTo(cfg);
  }

  @Test
  void shouldNameTensorAndShapesWhenATensorIsMisshaped(@TempDir Path dir) throws Exception {
    Path src = SharedData.stories260K();
    Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
    copyTensors(src, dir, "model.layers.1.self_attn.k_proj.weight", new long[] {32, 32});
    assertThatThrownBy(() -> StageModel.load(dir, LayerRange.parse("0-4")))
        .isInstanceOf(TensorSource.MissingTensorException.class)
        .hasMessageContaining("model.layers.1.self_attn.k_proj.weight")
        .hasMessageContaining("[32, 32]")
        .hasMessageContaining("[32, 64]");
  }

  @Test
  void shouldNameMissingTensorButLoadStagesThatDoNotNeedIt(@TempDir Path dir) throws Exception {
    Path src = SharedData.stories260K();
    Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
    copyTensors(src, dir, "model.layers.4.mlp.up_proj.weight", null);
    assertThatThrownBy(() -> StageModel.load(dir, LayerRange.parse("3-4")))
        .hasMessageContaining("model.layers.4.mlp.up_proj.weight")
        .hasMessageContaining("missing");
    try (StageModel early = StageModel.load(dir, LayerRange.parse("0-2"))) {
      assertThat(early.isLast()).isFalse();
    }
  }

  @Test
  void shouldReadBf16AndF16WeightsAsTheSameF32Values(@TempDir Path dir) throws Exception {
    float[] values = {1f, -2.5f, 0.15625f, 65280f, -0f, 3.0517578e-05f};
    ByteBufferPair bytes = ByteBufferPair.of(values);
    Path file = dir.resolve("t.safetensors");
    try (SafetensorsWriter w = new SafetensorsWriter(file, List.of(
        new SafetensorsWriter.Entry("bf", TensorDType.BF16, new long[] {6}),
        new SafetensorsWriter.Entry("hf", TensorDType.F16, new long[] {6})))) {
      w.write("bf", bytes.bf16());
      w.write("hf", bytes.f16());
    }
    Map<String, TensorInfo> header = SafetensorsFile.readHeader(file);
    for (String name : List.of("bf", "hf")) {
      var buf = SafetensorsFile.readF32(header.get(name));
      float[] read = new float[6];
      buf.asFloatBuffer().get(read);
      assertThat(read).as(name).containsExactly(values);
    }
  }

  /** Copies every tensor of src into dir, dropping {@code changed} (shape null) or giving it a new shape. */
  static void copyTensors(Path src, Path dir, String changed, long[] newShape) throws Exception {
    TensorSource source = TensorSource.open(src);
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    for (TensorInfo t : source.tensors().values()) {
      if (!t.name().equals(changed)) {
        entries.add(new SafetensorsWriter.Entry(t.name(), t.dtype(), t.shape()));
      } else if (newShape != null) {
        entries.add(new SafetensorsWriter.Entry(t.name(), TensorDType.F32, newShape));
      }
    }
    try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve("model.safetensors"), entries)) {
      for (SafetensorsWriter.Entry e : entries) {
        if (e.name().equals(changed)) {
          w.write(e.name(), new float[(int) (newShape[0] * newShape[1])]);
        } else {
          w.write(e.name(), SafetensorsFile.map(source.tensors().get(e.name())));
        }
      }
    }
  }

  /** The test values encoded as bf16 and f16 bit patterns (all exactly representable in both). */
  record ByteBufferPair(java.nio.ByteBuffer bf16, java.nio.ByteBuffer f16) {
    static ByteBufferPair of(float[] v) {
      var bf = java.nio.ByteBuffer.allocate(v.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      var hf = java.nio.ByteBuffer.allocate(v.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      short[] half = {0x3c00, (short) 0xc100, 0x3100, 0x7bf8, (short) 0x8000, 0x0200};
      for (int i = 0; i < v.length; i++) {
        bf.putShort((short) (Float.floatToIntBits(v[i]) >>> 16));
        hf.putShort(half[i]);
      }
      return new ByteBufferPair(bf.flip(), hf.flip());
    }
  }
}
