package dev.sluice.model.weights;

/** Element types Sluice reads from safetensors; everything is computed as f32. */
public enum TensorDType {
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  TensorDType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  static TensorDType parse(String name, String tensor) {
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor " + tensor + " has dtype " + name + "; supported: F32, F16, BF16");
    }
  }
}
