package dev.sluice.topics;

/**
 * Lane arithmetic. A lane is a partition index shared by every stage topic: lane p is partition p of
 * {@code stage-0} .. {@code stage-(S-1)}, so one worker per stage owns it and meets its KV cache.
 *
 * <p>Hashes are read as unsigned numbers, so another language computes the same lane
 * ({@code int.from_bytes(hash[:8], "big") % lanes} in Python).
 */
public final class Lanes {
  private Lanes() {}

  /** The lane of a 64-bit hash: the hash, unsigned, modulo the lane count; always in [0, lanes). */
  public static int laneOf(long hash, int lanes) {
    requirePositive(lanes);
    return (int) Long.remainderUnsigned(hash, lanes);
  }

  /**
   * The lane of a block hash (16 bytes from {@code BlockHasher}): its first 8 bytes big-endian,
   * unsigned, modulo the lane count.
   */
  public static int laneOf(byte[] blockHash, int lanes) {
    if (blockHash == null || blockHash.length < Long.BYTES) {
      throw new IllegalArgumentException("a block hash needs at least 8 bytes");
    }
    long first8 = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      first8 = (first8 << 8) | (blockHash[i] & 0xFF);
    }
    return laneOf(first8, lanes);
  }

  /** Fails with a clear message when a lane is not one of {@code lanes}; returns it otherwise. */
  public static int requireValid(int lane, int lanes) {
    requirePositive(lanes);
    if (lane < 0 || lane >= lanes) {
      throw new IllegalArgumentException("lane " + lane + " is outside 0.." + (lanes - 1));
    }
    return lane;
  }

  private static void requirePositive(int lanes) {
    if (lanes <= 0) {
      throw new IllegalArgumentException("lane count must be positive: " + lanes);
    }
  }
}
