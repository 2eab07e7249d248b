package dev.sluice.model.plan;

import dev.sluice.model.Architecture;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a model's layers into pipeline stages of about equal cost, so that no stage holds the
 * pipeline back. A stage's cost is its layers' plus, at the last stage, the LM head's — which for
 * GPT-2-small is worth several of its 12 layers, so an even split by layer count leaves the last stage
 * far busier than the first. Two cost models: multiply-adds per token ({@link #balanced(ModelConfig, int)};
 * attention over the KV cache and the embedding lookup left out), or step times measured on this
 * machine ({@link #balanced(ModelConfig, int, StepCosts)}), which also count what multiply-adds miss.
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
    return balanced(c.numLayers(), stages, layerCost(c), headCost(c));
  }

  /** The same, weighing layers and head by step times measured on this machine ({@link StepCosts#measure}). */
  public static List<LayerRange> balanced(ModelConfig c, int stages, StepCosts measured) {
    return balanced(c.numLayers(), stages, measured.layerMs(), measured.headMs());
  }

  private static List<LayerRange> balanced(int n, int stages, double layer, double head) {
    if (stages < 1 || stages > n) {
      throw new IllegalArgumentException("cannot split " + n + " layers into " + stages + " stages");
    }
    // best[s][i]: the smallest possible max-stage cost when layers [0, i) form s stages (none the last).
    double[][] best = new double[stages + 1][n + 1];
    int[][] cut = new int[stages + 1][n + 1];
    for (double[] row : best) java.util.Arrays.fill(row, Double.MAX_VALUE);
    best[0][0] = 0;
    for (int s = 1; s <= stages; s++) {
      for (int i = s; i <= n - (stages - s); i++) {
        for (int j = s - 1; j < i; j++) {
          if (best[s - 1][j] == Double.MAX_VALUE) continue;
          double stageCost = (i - j) * layer + (s == stages ? head : 0);
          double worst = Math.max(best[s - 1][j], stageCost);
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
