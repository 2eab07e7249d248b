package dev.sluice.model.sampling;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The random stream of one sampling step, a pure function of (seed, request id, position): a retried
 * or re-routed step draws the same numbers in any process. The request id is hashed with 64-bit
 * FNV-1a over its UTF-8 bytes (String.hashCode is not a contract across languages), and the three
 * values are combined with SplitMix64's finaliser.
 */
public final class SamplingRandom {
  private SamplingRandom() {}

  public static SplittableRandom forStep(long seed, String requestId, int position) {
    return new SplittableRandom(key(seed, requestId, position));
  }

  public static long key(long seed, String requestId, int position) {
    long h = mix(seed ^ 0x5851F42D4C957F2DL);
    h = mix(h ^ fnv1a64(requestId));
    return mix(h ^ position);
  }

  static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64 finaliser: a bijection that spreads every input bit over the output. */
  static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
