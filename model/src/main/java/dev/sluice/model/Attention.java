package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Causal self-attention with a KV cache, per sequence: the projections are batched over all
 * tokens of a step, but each sequence attends only to its own cached positions.
 */
final class Attention {
  private Attention() {}

  /**
   * @param q [T, heads, headDim] queries of all tokens of the step (RoPE already applied)
   * @param k [T, kvHeads, headDim] new keys
   * @param v [T, kvHeads, headDim] new values
   * @param layer index of the layer within the stage
   * @return [T, heads × headDim]
   */
  static NDArray attend(Step step, NDArray q, NDArray k, NDArray v, int layer, ModelConfig cfg) {
    int heads = cfg.numHeads();
    int kvHeads = cfg.numKvHeads();
    int groups = cfg.kvGroups();
    int headDim = cfg.headDim();
    float scale = (float) (1.0 / Math.sqrt(headDim));
    NDList outputs = new NDList(step.segments.size());
    for (Segment s : step.segments) {
      int n = s.count();
      int len = s.start() + n;
      String rows = s.offset() + ":" + (s.offset() + n);
      s.kv().write(layer, s.start(), k.get(rows), v.get(rows));
      NDArray keys = s.kv().keys(layer, len); // [len, kvHeads, headDim]
      NDArray values = s.kv().values(layer, len); // [len, kvHeads, headDim]
      // Query head h uses KV head h / groups (HF repeat_kv), so group the query heads by KV head:
      // [n, heads, D] -> [heads, n, D] -> [kvHeads, groups * n, D]
      NDArray qs = q.get(rows).transpose(1, 0, 2).reshape(kvHeads, (long) groups * n, headDim);
      NDArray scores = qs.matMul(keys.transpose(1, 2, 0)).mul(scale); // [kvHeads, groups * n, len]
      if (n > 1) {
        scores = scores.reshape(kvHeads, groups, n, len).add(causalMask(step.manager, s.start(), n, len))
            .reshape(kvHeads, (long) groups * n, len);
      }
      NDArray probs = scores.softmax(-1);
      NDArray out = probs.matMul(values.transpose(1, 0, 2)); // [kvHeads, groups * n, D]
      outputs.add(out.reshape(heads, n, headDim).transpose(1, 0, 2).reshape(n, (long) heads * headDim));
    }
    return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
  }

  /** [n, len]: 0 where query j (at position start + j) may see key t, -inf where t is in its future. */
  private static NDArray causalMask(NDManager step, int start, int n, int len) {
    float[] mask = new float[n * len];
    for (int j = 0; j < n; j++) {
      for (int t = start + j + 1; t < len; t++) {
        mask[j * len + t] = Float.NEGATIVE_INFINITY;
      }
    }
    return step.create(mask, new Shape(n, len));
  }
}
