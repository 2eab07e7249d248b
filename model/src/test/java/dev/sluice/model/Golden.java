package dev.sluice.model;

import dev.sluice.testing.SharedData;
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
    dev.sluice.model.verify.GoldenLogits g = dev.sluice.model.verify.GoldenLogits.read(file); // the one reader
    return new Golden(file.getFileName().toString(), g.tokens(), g.logits());
  }

  public static List<Golden> all() throws IOException {
    List<Golden> all = new java.util.ArrayList<>();
    for (String f : FILES) {
      all.add(read(SharedData.stories260KGolden(f)));
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
    return dev.sluice.model.verify.GoldenCheck.topTwoMargin(a);
  }
}
