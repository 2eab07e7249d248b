package dev.sluice.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
  static float[] logits() {
    float[] l = new float[64];
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) Math.sin(i * 0.7) * 3; // many plausible tokens
    }
    return l;
  }

  static int sample(SamplingParams p, String id, int position) {
    return Sampler.of(p).sample(logits(), SamplingRandom.forStep(p.seed(), id, position));
  }

  @Test
  void shouldSampleTheSameTokenForTheSameSeedRequestAndPosition() {
    SamplingParams p = new SamplingParams(1.0f, 1f, 0, 7);
    for (int pos = 0; pos < 50; pos++) {
      assertThat(sample(p, "req-1", pos)).isEqualTo(sample(p, "req-1", pos));
    }
  }

  @Test
  void shouldSampleDifferentTokensAcrossSeedsRequestsAndPositions() {
    SamplingParams a = new SamplingParams(1.0f, 1f, 0, 7);
    SamplingParams b = new SamplingParams(1.0f, 1f, 0, 8);
    int differentSeed = 0;
    int differentRequest = 0;
    Set<Integer> acrossPositions = new HashSet<>();
    for (int pos = 0; pos < 50; pos++) {
      differentSeed += sample(a, "req-1", pos) != sample(b, "req-1", pos) ? 1 : 0;
      differentRequest += sample(a, "req-1", pos) != sample(a, "req-2", pos) ? 1 : 0;
      acrossPositions.add(sample(a, "req-1", pos));
    }
    assertThat(differentSeed).isGreaterThan(25);
    assertThat(differentRequest).isGreaterThan(25);
    assertThat(acrossPositions.size()).isGreaterThan(5);
  }

  @Test
  void shouldDeriveTheStreamFromStableHashesNotHashCode() {
    // fixed values: the same in every JVM and any language that implements FNV-1a + SplitMix64
    assertThat(SamplingRandom.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
    assertThat(SamplingRandom.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(SamplingRandom.key(1, "req", 3)).isEqualTo(SamplingRandom.key(1, "req", 3));
    assertThat(SamplingRandom.key(1, "req", 3)).isNotEqualTo(SamplingRandom.key(1, "req", 4));
  }

  @Test
  void shouldPickTheArgmaxWhenGreedy() {
    float[] l = logits();
    int best = 0;
    for (int i = 0; i < l.length; i++) {
      best = l[i] > l[best] ? i : best;
    }
    assertThat(sample(SamplingParams.GREEDY, "x", 0)).isEqualTo(best);
    assertThat(Sampler.of(SamplingParams.GREEDY)).isInstanceOf(Sampler.Greedy.class);
  }

  @Test
  void shouldOnlyDrawFromTheTopKTokens() {
    float[] l = logits();
    Integer[] order = new Integer[l.length];
    for (int i = 0; i < l.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Float.compare(l[y], l[x]));
    Set<Integer> top3 = Set.of(order[0], order[1], order[2]);
    Set<Integer> seen = new HashSet<>();
    for (int pos = 0; pos < 200; pos++) {
      seen.add(sample(new SamplingParams(2.0f, 1f, 3, 1), "k", pos));
    }
    assertThat(top3).containsAll(seen);
    assertThat(seen).hasSize(3);
  }

  @Test
  void shouldOnlyDrawFromTheNucleusWhenTopP() {
    float[] l = new float[10];
    l[4] = 10; // ~99.98% of the mass
    Set<Integer> seen = new HashSet<>();
    for (int pos = 0; pos < 100; pos++) {
      seen.add(Sampler.of(new SamplingParams(1f, 0.9f, 0, 3)).sample(l.clone(), SamplingRandom.forStep(3, "p", pos)));
    }
    assertThat(seen).containsExactly(4);
  }

  @Test
  void shouldStopOnEosMaxTokensAndStopStrings() {
    StopCondition stop = new StopCondition(2, 5, List.of("The end", "\n\n"));
    assertThat(stop.check(2, 1, "")).contains(StopReason.STOP);
    assertThat(stop.check(9, 5, "abc")).contains(StopReason.LENGTH);
    assertThat(stop.check(9, 3, "abc")).isEmpty();
    assertThat(stop.check(9, 3, "so. The end")).contains(StopReason.STOP);
    assertThat(stop.visibleText("so.\n\nThe end")).isEqualTo("so.");
  }
}
