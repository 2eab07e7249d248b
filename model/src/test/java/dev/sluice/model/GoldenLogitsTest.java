package dev.sluice.model;

import dev.sluice.testing.SharedData;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** stories260K must reproduce the logits of the independent llama2.c run at every position. */
class GoldenLogitsTest {
  static final float TOLERANCE = 1e-4f;

  @Test
  void shouldReproduceGoldenLogitsFeedingOneTokenPerPosition() throws Exception {
    Path model = SharedData.stories260K();
    try (Pipeline whole = new Pipeline(model, List.of(LayerRange.all(5)))) {
      for (Golden g : Golden.all()) {
        List<SequenceKv> kv = whole.newSequence(g.tokens().length);
        for (int t = 0; t < g.tokens().length; t++) {
          float[] logits = whole.run(kv, new int[] {g.tokens()[t]});
          assertMatches(g, t, logits, "whole model");
        }
      }
    }
  }

  @Test
  void shouldReproduceGoldenLogitsForEverySplitIntoLayerRanges() throws Exception {
    Path model = SharedData.stories260K();
    List<Golden> goldens = Golden.all();
    List<List<LayerRange>> splits = Pipeline.allSplits(5);
    assertThat(splits).hasSize(16); // 1 whole + 15 splits into 2..5 ranges
    for (List<LayerRange> split : splits) {
      try (Pipeline p = new Pipeline(model, split)) {
        for (Golden g : goldens) {
          List<SequenceKv> kv = p.newSequence(g.tokens().length);
          // chunked prefill (7 tokens a step) must equal the reference's one token per position
          for (int from = 0; from < g.tokens().length; from += 7) {
            int to = Math.min(from + 7, g.tokens().length);
            float[] logits = p.run(kv, Arrays.copyOfRange(g.tokens(), from, to));
            for (int t = from; t < to; t++) {
              int v = g.logits()[t].length;
              assertMatches(g, t, Arrays.copyOfRange(logits, (t - from) * v, (t - from + 1) * v), "split " + split);
            }
          }
        }
      }
    }
  }

  static void assertMatches(Golden g, int t, float[] logits, String what) {
    assertThat(Golden.maxAbsDiff(logits, g.logits()[t]))
        .as("%s, %s, position %d: max abs logit difference", what, g.name(), t)
        .isLessThanOrEqualTo(TOLERANCE);
    assertThat(Golden.argmax(logits))
        .as("%s, %s, position %d: argmax", what, g.name(), t)
        .isEqualTo(Golden.argmax(g.logits()[t]));
    if (t + 1 < g.tokens().length && g.name().contains("greedy")) {
      assertThat(Golden.argmax(logits)).as("greedy next token at %d", t).isEqualTo(g.tokens()[t + 1]);
    }
  }
}
