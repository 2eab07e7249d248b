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

  int tokens() {
    return positions.length;
  }
}
