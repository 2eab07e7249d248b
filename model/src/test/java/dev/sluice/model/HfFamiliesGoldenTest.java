package dev.sluice.model;

import dev.sluice.testing.SharedData;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Llama 3 (head_dim, llama3 RoPE scaling, separate head), Qwen2 (q/k/v bias) and Qwen3 (q/k norms,
 * bf16 weights) reproduce the logits of an independent float64 implementation of the transformers
 * code (../shared/golden/hf-families), as a whole model and split into every set of contiguous ranges.
 */
class HfFamiliesGoldenTest {
  static final float TOLERANCE = 1e-4f;
  static final float ARGMAX_MARGIN = 1e-3f;

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama3", "tiny-qwen2", "tiny-qwen3"})
  void shouldReproduceGoldenLogitsOneTokenPerPosition(String family) throws Exception {
    Family f = Family.read(family);
    Golden g = f.golden();
    try (Pipeline whole = new Pipeline(f.dir(), List.of(LayerRange.all(f.layers())))) {
      List<SequenceKv> kv = whole.newSequence(g.tokens().length);
      for (int t = 0; t < g.tokens().length; t++) {
        assertMatches(g, t, whole.run(kv, new int[] {g.tokens()[t]}), family + " whole model");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama3", "tiny-qwen2", "tiny-qwen3"})
  void shouldReproduceGoldenLogitsForEverySplitIntoLayerRanges(String family) throws Exception {
    Family f = Family.read(family);
    Golden g = f.golden();
    List<List<LayerRange>> splits = Pipeline.allSplits(f.layers());
    assertThat(splits).hasSize(1 << (f.layers() - 1));
    for (List<LayerRange> split : splits) {
      try (Pipeline p = new Pipeline(f.dir(), split)) {
        List<SequenceKv> kv = p.newSequence(g.tokens().length);
        for (int from = 0; from < g.tokens().length; from += 7) { // chunked prefill, 7 tokens a step
          int to = Math.min(from + 7, g.tokens().length);
          float[] logits = p.run(kv, Arrays.copyOfRange(g.tokens(), from, to));
          int v = g.logits()[0].length;
          for (int t = from; t < to; t++) {
            assertMatches(g, t, Arrays.copyOfRange(logits, (t - from) * v, (t - from + 1) * v), family + " split " + split);
          }
        }
      }
    }
  }

  /** A tiny model of one family in the shared data, with its golden logits and its layer count. */
  record Family(Path dir, Golden golden, int layers) {
    static Family read(String family) throws Exception {
      Path dir = SharedData.hfFamily(family);
      return new Family(dir, Golden.read(dir.resolve("golden_" + family + ".bin")), ModelConfig.read(dir).numLayers());
    }
  }

  /** Within 1e-4 everywhere; the same argmax where the golden row's top-2 margin exceeds 1e-3. */
  static void assertMatches(Golden g, int t, float[] logits, String what) {
    assertThat(Golden.maxAbsDiff(logits, g.logits()[t]))
        .as("%s, position %d: max abs logit difference", what, t)
        .isLessThanOrEqualTo(TOLERANCE);
    if (Golden.topTwoMargin(g.logits()[t]) > ARGMAX_MARGIN) {
      assertThat(Golden.argmax(logits)).as("%s, position %d: argmax", what, t).isEqualTo(Golden.argmax(g.logits()[t]));
    }
  }
}
