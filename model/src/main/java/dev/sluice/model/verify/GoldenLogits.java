package dev.sluice.model.verify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A golden file: int32 T, int32 V, int32 tokens[T], float32 logits[T][V], little-endian; row t holds
 * the reference's logits after feeding tokens[t] at position t (the llama2.c and hf-families format).
 */
public record GoldenLogits(int[] tokens, float[][] logits) {

  public static GoldenLogits read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int t = b.getInt();
    int v = b.getInt();
    long expected = 8L + 4L * t + 4L * t * v;
    if (t < 1 || v < 1 || b.capacity() != expected) {
      throw new IOException(file + " is not a golden logits file (T=" + t + ", V=" + v + ", " + b.capacity()
          + " bytes; expected " + expected + ")");
    }
    int[] tokens = new int[t];
    for (int i = 0; i < t; i++) {
      tokens[i] = b.getInt();
    }
    float[][] logits = new float[t][v];
    for (int i = 0; i < t; i++) {
      b.asFloatBuffer().get(logits[i]);
      b.position(b.position() + v * 4);
    }
    return new GoldenLogits(tokens, logits);
  }

  public int vocabSize() {
    return logits[0].length;
  }
}
