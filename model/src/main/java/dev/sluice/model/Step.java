package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One batched forward step: its scratch manager, the sequence position of every token row, and
 * where each sequence's rows are. Per-step tables (causal masks, RoPE cos/sin) are made before the
 * first layer so they live for the whole step, not just one layer's scope.
 */
final class Step {
  final NDManager manager;
  final int[] positions; // [T]
  final List<Segment> segments;
  NDArray[] ropeTables; // cos, sin [T, 1, headDim]; filled by LlamaWeights.prepare
  private final Map<Segment, NDArray> masks = new HashMap<>();
  /** [B, 1, 1, L] when every sequence brings one token and all can be read up to L: else null. */
  final NDArray decodeMask;
  /** L: the longest sequence after this step. */
  final int decodeLength;

  Step(NDManager manager, int[] positions, List<Segment> segments) {
    this.manager = manager;
    this.positions = positions;
    this.segments = segments;
    boolean allDecode = segments.size() > 1;
    int longest = 0;
    for (Segment s : segments) {
      if (s.count() > 1) {
        masks.put(s, causalMaskOf(s));
        allDecode = false;
      }
      longest = Math.max(longest, s.start() + s.count());
    }
    for (Segment s : segments) {
      allDecode &= s.kv().capacity() >= longest;
    }
    decodeLength = longest;
    decodeMask = allDecode ? decodeMaskOf(longest) : null;
  }

  /** Decode of B sequences padded to L positions: -inf on positions a sequence has not reached. */
  private NDArray decodeMaskOf(int longest) {
    float[] mask = new float[segments.size() * longest];
    for (int b = 0; b < segments.size(); b++) {
      for (int t = segments.get(b).start() + 1; t < longest; t++) {
        mask[b * longest + t] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(mask, new Shape(segments.size(), 1, 1, longest));
  }

  /** [n, len] for a sequence with n > 1 new tokens (a single new token sees every cached position). */
  NDArray causalMask(Segment s) {
    return masks.get(s);
  }

  /** 0 where query j (at position start + j) may see key t, -inf where t is in its future. */
  private NDArray causalMaskOf(Segment s) {
    int n = s.count();
    int len = s.start() + n;
    float[] mask = new float[n * len];
    for (int j = 0; j < n; j++) {
      for (int t = s.start() + j + 1; t < len; t++) {
        mask[j * len + t] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(mask, new Shape(n, len));
  }

  int tokens() {
    return positions.length;
  }
}
