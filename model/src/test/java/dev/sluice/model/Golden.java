package dev.sluice.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One golden file (../shared/golden/README.md): tokens fed at each position and the logits after each. */
public record Golden(String name, int[] tokens, float[][] logits) {
  public static final List<String> FILES =
      List.of("golden_once_upon_a_time.bin", "golden_lily_tom.bin", "golden_bos_greedy256.bin");

  public static Golden read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int t = b.getInt();
    int v = b.getInt();
    int[] tokens = new int[t];
    for (int i = 0; i < t; i++) {
      tokens[i] = b.getInt();
    }
    float[][] logits = new float[t][v];
    for (int i = 0; i < t; i++) {
      b.asFloatBuffer().get(logits[i]);
      b.position(b.position() + v * 4);
    }
    return new Golden(file.getFileName().toString(), tokens, logits);
  }

  public static List<Golden> all() throws IOException {
    List<Golden> all = new java.util.ArrayList<>();
    for (String f : FILES) {
      all.add(read(SharedData.golden(f)));
    }
    return all;
  }

  public static float maxAbsDiff(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  public static int argmax(float[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Largest minus second-largest value. */
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
