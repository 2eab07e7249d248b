package dev.sluice.model.plan;

import dev.sluice.model.Architecture;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a model's layers into pipeline stages of about equal compute, so that no stage holds the
 * pipeline back. A stage's cost is the multiply-adds per token of its layers, plus the LM head
 * (hidden × vocab) at the last stage — which for GPT-2-small is as much as 5 of its 12 layers, so an
 * even split by layer count leaves the last stage twice as busy as the first. Attention over the KV
 * cache and the embedding lookup are left out: small next to the weights at these lengths.
 */
public final class StagePlanner {
  private StagePlanner() {}

  /** Multiply-adds per token of one transformer layer. */
  public static long layerCost(ModelConfig c) {
    long h = c.hiddenSize();
    long kv = c.kvDim();
    long attention = 2 * h * c.qDim() + 2 * h * kv; // q and o: [h, qDim]; k and v: [h, kvDim]
    long mlp = (c.architecture() == Architecture.GPT2 ? 2 : 3) * h * c.intermediateSize(); // GPT-2: up, down; Llama: gate, up, down
    return attention + mlp;
  }

  /** Multiply-adds per token of the LM head, run by the last stage. */
  public static long headCost(ModelConfig c) {
    return (long) c.hiddenSize() * c.vocabSize();
  }

  /**
   * Contiguous layer ranges, one per stage, minimising the cost of the most expensive stage (ties go
   * to the split that puts more layers early). Exact: a small dynamic programme over cut points.
   */
  public static List<LayerRange> balanced(ModelConfig c, int stages) {
    int n = c.numLayers();
    if (stages < 1 || stages > n) {
      throw new IllegalArgumentException("cannot split " + n + " layers into " + stages + " stages");
    }
    long layer = layerCost(c);
    long head = headCost(c);
    // best[s][i]: the smallest possible max-stage cost when layers [0, i) form s stages (none the last).
    long[][] best = new long[stages + 1][n + 1];
    int[][] cut = new int[stages + 1][n + 1];
    for (long[] row : best) java.util.Arrays.fill(row, Long.MAX_VALUE);
    best[0][0] = 0;
    for (int s = 1; s <= stages; s++) {
      for (int i = s; i <= n - (stages - s); i++) {
        for (int j = s - 1; j < i; j++) {
          if (best[s - 1][j] == Long.MAX_VALUE) continue;
          long stageCost = (i - j) * layer + (s == stages ? head : 0);
          long worst = Math.max(best[s - 1][j], stageCost);
          // '<=' as j rises keeps the latest cut among equals: more layers in earlier stages
          if (worst <= best[s][i]) {
            best[s][i] = worst;
            cut[s][i] = j;
          }
        }
      }
    }
    List<LayerRange> ranges = new ArrayList<>();
    int end = n;
    for (int s = stages; s >= 1; s--) {
      int start = cut[s][end];
      ranges.add(0, new LayerRange(start, end));
      end = start;
    }
    return ranges;
  }
}
