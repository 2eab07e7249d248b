package dev.sluice.model.verify;

import dev.sluice.model.LayerRange;
import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import dev.sluice.model.StepOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a golden file's tokens through a model split into contiguous layer ranges (one range = the
 * whole model) and compares every position's logits: the max abs difference, and argmax agreement
 * wherever the golden row's top-2 margin is large enough to make its argmax meaningful.
 */
public final class GoldenCheck {
  /** Golden rows whose top two logits are closer than this do not have a meaningful argmax. */
  public static final float ARGMAX_MARGIN = 1e-3f;

  private GoldenCheck() {}

  /**
   * @param maxAbsDiff largest |logit - golden| over every position and token id
   * @param worstPosition where it occurred
   * @param argmaxAgreed positions whose argmax equals the golden one, among the compared ones
   * @param argmaxCompared positions whose golden top-2 margin exceeds {@link #ARGMAX_MARGIN}
   */
  public record Result(List<LayerRange> split, int positions, float maxAbsDiff, int worstPosition, int argmaxAgreed,
      int argmaxCompared) {

    public boolean passes(float tolerance) {
      return maxAbsDiff <= tolerance && argmaxAgreed == argmaxCompared;
    }
  }

  /** Feeds the golden tokens in chunks of {@code chunk} (1 = one token per position, as the reference did). */
  public static Result run(Path modelDir, List<LayerRange> split, GoldenLogits golden, int chunk) {
    List<StageModel> stages = new ArrayList<>();
    List<SequenceKv> kvs = new ArrayList<>();
    try {
      for (LayerRange r : split) {
        StageModel s = StageModel.load(modelDir, r);
        stages.add(s);
        kvs.add(s.newSequence(golden.tokens().length));
      }
      if (stages.get(stages.size() - 1).config().vocabSize() != golden.vocabSize()) {
        throw new IllegalArgumentException("the golden file has " + golden.vocabSize() + " logits per row but the model's "
            + "vocabulary is " + stages.get(0).config().vocabSize());
      }
      int v = golden.vocabSize();
      float worst = 0;
      int worstAt = 0;
      int agreed = 0;
      int compared = 0;
      int[] tokens = golden.tokens();
      for (int from = 0; from < tokens.length; from += chunk) {
        int to = Math.min(from + chunk, tokens.length);
        float[] logits = forward(stages, kvs, java.util.Arrays.copyOfRange(tokens, from, to));
        for (int t = from; t < to; t++) {
          float[] want = golden.logits()[t];
          int off = (t - from) * v;
          int best = 0;
          for (int i = 0; i < v; i++) {
            float d = Math.abs(logits[off + i] - want[i]);
            if (d > worst || Float.isNaN(d)) {
              worst = Float.isNaN(d) ? Float.POSITIVE_INFINITY : d;
              worstAt = t;
            }
            if (logits[off + i] > logits[off + best]) {
              best = i;
            }
          }
          if (topTwoMargin(want) > ARGMAX_MARGIN) {
            compared++;
            agreed += best == argmax(want) ? 1 : 0;
          }
        }
      }
      return new Result(List.copyOf(split), tokens.length, worst, worstAt, agreed, compared);
    } finally {
      kvs.forEach(SequenceKv::close);
      stages.forEach(StageModel::close);
    }
  }

  /** Every split of {@code layers} layers into contiguous ranges (all 2^(layers-1) of them). */
  public static List<List<LayerRange>> allSplits(int layers) {
    List<List<LayerRange>> out = new ArrayList<>();
    for (int cuts = 0; cuts < 1 << (layers - 1); cuts++) {
      List<LayerRange> ranges = new ArrayList<>();
      int start = 0;
      for (int i = 1; i < layers; i++) {
        if ((cuts & (1 << (i - 1))) != 0) {
          ranges.add(new LayerRange(start, i));
          start = i;
        }
      }
      ranges.add(new LayerRange(start, layers));
      out.add(ranges);
    }
    return out;
  }

  /** Logits of every position of {@code tokens}, through every stage in order: [n × vocab]. */
  private static float[] forward(List<StageModel> stages, List<SequenceKv> kvs, int[] tokens) {
    StepOutput out = stages.get(0).forward(List.of(StepInput.ofTokens(kvs.get(0), tokens)), true).get(0);
    for (int i = 1; i < stages.size(); i++) {
      out = stages.get(i).forward(List.of(StepInput.ofHidden(kvs.get(i), out.hidden())), true).get(0);
    }
    return out.allLogits();
  }

  static int argmax(float[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      best = a[i] > a[best] ? i : best;
    }
    return best;
  }

  /** Largest minus second-largest value: how clear an argmax is. */
  public static float topTwoMargin(float[] a) {
    float first = Float.NEGATIVE_INFINITY;
    float second = Float.NEGATIVE_INFINITY;
    for (float x : a) {
      if (x > first) {
        second = first;
        first = x;
      } else if (x > second) {
        second = x;
      }
    }
    return first - second;
  }
}
