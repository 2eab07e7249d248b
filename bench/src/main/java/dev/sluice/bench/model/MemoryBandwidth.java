package dev.sluice.bench.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;

/**
 * This machine's read bandwidth as the forward sees it: PyTorch (with the process's thread setting)
 * summing a 1 GiB f32 tensor, far larger than any cache; the best of several passes.
 */
final class MemoryBandwidth {
  private static final long FLOATS = 1L << 28; // 1 GiB
  private static final int PASSES = 6;

  private MemoryBandwidth() {}

  /** Bytes per second. */
  static double measure(PrintStream out) {
    out.println("measuring memory bandwidth (summing a 1 GiB tensor) ...");
    out.flush();
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      NDArray big = m.ones(new Shape(FLOATS), DataType.FLOAT32);
      double best = Double.MAX_VALUE;
      for (int i = 0; i < PASSES; i++) {
        long start = System.nanoTime();
        try (NDArray sum = big.sum()) {
          sum.getFloat(); // forces the computation
        }
        best = Math.min(best, (System.nanoTime() - start) / 1e9);
      }
      return FLOATS * Float.BYTES / best;
    }
  }
}
