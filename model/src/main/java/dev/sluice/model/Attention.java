package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

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
    if (step.decodeMask != null) {
      return attendDecodeBatch(step, q, k, v, layer, cfg);
    }
    int heads = cfg.numHeads();
    int kvHeads = cfg.numKvHeads();
    int groups = cfg.kvGroups();
    int headDim = cfg.headDim();
    float scale = (float) (1.0 / Math.sqrt(headDim));
    NDList outputs = new NDList(step.segments.size());
    for (Segment s : step.segments) {
      int n = s.count();
      int len = s.start() + n;
      boolean alone = step.segments.size() == 1; // no need to slice out this sequence's rows
      NDIndex rows = new NDIndex().addSliceDim(s.offset(), s.offset() + n);
      s.kv().write(layer, s.start(), alone ? k : k.get(rows), alone ? v : v.get(rows));
      NDArray keys = s.kv().keys(layer, len); // [len, kvHeads, headDim]
      NDArray values = s.kv().values(layer, len); // [len, kvHeads, headDim]
      // Query head h uses KV head h / groups (HF repeat_kv), so group the query heads by KV head:
      // [n, heads, D] -> [heads, n, D] -> [kvHeads, groups * n, D]
      NDArray qs = (alone ? q : q.get(rows)).transpose(1, 0, 2).reshape(kvHeads, (long) groups * n, headDim);
      NDArray scores = qs.matMul(keys.transpose(1, 2, 0)).mul(scale); // [kvHeads, groups * n, len]
      if (n > 1) {
        scores = scores.reshape(kvHeads, groups, n, len).add(step.causalMask(s))
            .reshape(kvHeads, (long) groups * n, len);
      }
      NDArray probs = scores.softmax(-1);
      NDArray out = probs.matMul(values.transpose(1, 0, 2)); // [kvHeads, groups * n, D]
      outputs.add(out.reshape(heads, n, headDim).transpose(1, 0, 2).reshape(n, (long) heads * headDim));
    }
    return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
  }

  /**
   * B sequences with one new token each, attended in one batched matMul over their KV read up to
   * the longest length L (positions a sequence has not reached are masked): a few ops per layer
   * instead of a dozen per sequence.
   */
  private static NDArray attendDecodeBatch(Step step, NDArray q, NDArray k, NDArray v, int layer, ModelConfig cfg) {
    int b = step.segments.size();
    int kvHeads = cfg.numKvHeads();
    int headDim = cfg.headDim();
    NDList kRows = k.split(b, 0); // B × [1, kvHeads, D]
    NDList vRows = v.split(b, 0);
    NDList keys = new NDList(b);
    NDList values = new NDList(b);
    for (int i = 0; i < b; i++) {
      Segment s = step.segments.get(i);
      s.kv().write(layer, s.start(), kRows.get(i), vRows.get(i));
      keys.add(s.kv().keys(layer, step.decodeLength)); // [L, kvHeads, D]
      values.add(s.kv().values(layer, step.decodeLength));
    }
    NDArray kAll = NDArrays.stack(keys, 0).transpose(0, 2, 3, 1); // [B, kvHeads, D, L]
    NDArray vAll = NDArrays.stack(values, 0).transpose(0, 2, 1, 3); // [B, kvHeads, L, D]
    NDArray qs = q.reshape(b, kvHeads, cfg.kvGroups(), headDim); // [B, kvHeads, groups, D]
    NDArray scores = qs.matMul(kAll).mul((float) (1.0 / Math.sqrt(headDim))).add(step.decodeMask); // [B, kvHeads, groups, L]
    NDArray out = scores.softmax(-1).matMul(vAll); // [B, kvHeads, groups, D]
    return out.reshape(b, (long) cfg.numHeads() * headDim);
  }
}
