package dev.sluice.model.weights;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where one tensor lives: its file, its element type, its shape and its byte range in the file
 * (absolute offsets, header included).
 */
public record TensorInfo(String name, Path file, TensorDType dtype, long[] shape, long begin, long end) {

  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public String shapeText() {
    return Arrays.toString(shape);
  }
}
