package dev.sluice.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Activations (hidden states) as bytes on the wire between stages: f32 little-endian, row-major [tokens, hiddenSize]; lossless. */
public final class ActivationBytes {
  /** The dtype name to put next to these bytes in a record. */
  public static final String DTYPE = "f32le";

  private ActivationBytes() {}

  public static byte[] toBytes(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  public static float[] fromBytes(byte[] bytes) {
    if (bytes.length % 4 != 0) {
      throw new IllegalArgumentException("hidden state bytes (" + bytes.length + ") are not a whole number of f32 values");
    }
    float[] values = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }
}
