package dev.sluice.model.sampling;

import java.util.random.RandomGenerator;

/**
 * Chooses the next token from logits [vocab]. Stochastic samplers draw only from the given random
 * generator, so a step replayed with {@link SamplingRandom#forStep} picks the same token.
 * Implementations may modify {@code logits} in place.
 */
@FunctionalInterface
public interface Sampler {

  int sample(float[] logits, RandomGenerator random);

  /** temperature 0 → greedy; otherwise temperature, then top-k, then top-p, then a draw. */
  static Sampler of(SamplingParams p) {
    if (p.temperature() <= 0) {
      return new Greedy();
    }
    Sampler s = new Draw();
    if (p.topP() > 0 && p.topP() < 1) {
      s = new TopP(p.topP(), s);
    }
    if (p.topK() > 0) {
      s = new TopK(p.topK(), s);
    }
    return p.temperature() == 1f ? s : new Temperature(p.temperature(), s);
  }

  /** The highest logit (the lowest id on ties). */
  record Greedy() implements Sampler {
    @Override
    public int sample(float[] logits, RandomGenerator random) {
      int best = 0;
      for (int i = 1; i < logits.length; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      return best;
    }
  }

  /** Divides logits by the temperature, then hands them on. */
  record Temperature(float temperature, Sampler next) implements Sampler {
    @Override
    public int sample(float[] logits, RandomGenerator random) {
      for (int i = 0; i < logits.length; i++) {
        logits[i] /= temperature;
      }
      return next.sample(logits, random);
    }
  }

  /** Keeps the k highest logits (ties at the k-th value kept), masks the rest. */
  record TopK(int k, Sampler next) implements Sampler {
    @Override
    public int sample(float[] logits, RandomGenerator random) {
      if (k < logits.length) {
        float[] sorted = logits.clone();
        java.util.Arrays.sort(sorted);
        float kth = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) {
          if (logits[i] < kth) {
            logits[i] = Float.NEGATIVE_INFINITY;
          }
        }
      }
      return next.sample(logits, random);
    }
  }

  /** Keeps the smallest set of most likely tokens whose probability reaches p (nucleus), masks the rest. */
  record TopP(float p, Sampler next) implements Sampler {
    @Override
    public int sample(float[] logits, RandomGenerator random) {
      double[] probs = Draw.softmax(logits);
      Integer[] order = new Integer[logits.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
      double cumulative = 0;
      int keep = 0;
      while (keep < order.length && cumulative < p) {
        cumulative += probs[order[keep++]];
      }
      for (int i = keep; i < order.length; i++) {
        logits[order[i]] = Float.NEGATIVE_INFINITY;
      }
      return next.sample(logits, random);
    }
  }

  /** Draws a token with probability softmax(logits). */
  record Draw() implements Sampler {
    @Override
    public int sample(float[] logits, RandomGenerator random) {
      double[] probs = softmax(logits);
      double u = random.nextDouble();
      double cumulative = 0;
      int lastPossible = 0;
      for (int i = 0; i < probs.length; i++) {
        if (probs[i] > 0) {
          cumulative += probs[i];
          lastPossible = i;
          if (u < cumulative) {
            return i;
          }
        }
      }
      return lastPossible; // rounding left u just above the total
    }

    static double[] softmax(float[] logits) {
      float max = Float.NEGATIVE_INFINITY;
      for (float l : logits) {
        max = Math.max(max, l);
      }
      double[] probs = new double[logits.length];
      double sum = 0;
      for (int i = 0; i < logits.length; i++) {
        probs[i] = Math.exp(logits[i] - max);
        sum += probs[i];
      }
      for (int i = 0; i < probs.length; i++) {
        probs[i] /= sum;
      }
      return probs;
    }
  }
}
