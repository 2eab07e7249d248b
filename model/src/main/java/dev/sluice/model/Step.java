package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * One batched forward step: its scratch manager, the sequence position of every token row, and
 * where each sequence's rows are. Blocks may cache per-step tables here (e.g. RoPE cos/sin).
 */
final class Step {
  final NDManager manager;
  final int[] positions; // [T]
  final List<Segment> segments;
  NDArray[] ropeTables; // filled by the first Llama layer of the step

  Step(NDManager manager, int[] positions, List<Segment> segments) {
    this.manager = manager;
    this.positions = positions;
    this.segments = segments;
  }

  private final java.util.Map<Segment, NDArray> masks = new java.util.HashMap<>();

  /** [n, len] for one sequence, shared by all layers of the step: 0 where query j (at position start + j) may see key t, -inf where t is in its future. */
  NDArray causalMask(Segment s) {
    return masks.computeIfAbsent(s, seg -> {
      int n = seg.count();
      int len = seg.start() + n;
      float[] mask = new float[n * len];
      for (int j = 0; j < n; j++) {
        for (int t = seg.start() + j + 1; t < len; t++) {
          mask[j * len + t] = Float.NEGATIVE_INFINITY;
        }
      }
      return manager.create(mask, new ai.djl.ndarray.types.Shape(n, len));
    });
  }

  int tokens() {
    return positions.length;
  }
}
