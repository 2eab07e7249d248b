package dev.sluice.bench.prefix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrefixWorkloadTest {
  private static final PrefixWorkload.Shape SHAPE = new PrefixWorkload.Shape(3, 2, 32, 16, 1000, 1);

  private static boolean sharesPrefix(int[] a, int[] b, int n) {
    return Arrays.equals(Arrays.copyOf(a, n), Arrays.copyOf(b, n));
  }

  @Test
  void shouldSendGroupsInterleavedBehindTheirOwnSystemPrompt() {
    List<int[]> p = PrefixWorkload.of("groups", SHAPE).prompts();
    assertThat(p).hasSize(6).allSatisfy(t -> assertThat(t).hasSize(1 + 32 + 16).startsWith(1));
    assertThat(sharesPrefix(p.get(0), p.get(3), 33)).as("group 0, questions 0 and 1").isTrue();
    assertThat(sharesPrefix(p.get(0), p.get(3), 34)).as("their questions differ").isFalse();
    assertThat(p.get(0)[1]).as("groups 0 and 1 differ from the first system-prompt token").isNotEqualTo(p.get(1)[1]);
    // ceiling: 3 groups x 1 repeat x 2 whole blocks of 16 (BOS + 31 prompt tokens + 1 = block 2 holds the question's start)
    assertThat(PrefixWorkload.of("groups", SHAPE).ceiling(16)).isEqualTo(3 * 32.0 / (6 * 49));
  }

  @Test
  void shouldShiftIntoTheSameSharingWithNoTokenInCommon() {
    PrefixWorkload w = PrefixWorkload.of("groups", SHAPE);
    PrefixWorkload moved = w.shifted(7919, SHAPE.vocab());
    assertThat(moved.ceiling(16)).isEqualTo(w.ceiling(16));
    for (int r = 0; r < w.prompts().size(); r++) {
      int[] a = w.prompts().get(r);
      int[] b = moved.prompts().get(r);
      assertThat(b).hasSameSizeAs(a).startsWith(1); // BOS stays
      for (int t = 1; t < a.length; t++) {
        assertThat(b[t]).isNotEqualTo(a[t]).isBetween(3, SHAPE.vocab() - 1);
      }
    }
    assertThat(sharesPrefix(moved.prompts().get(0), moved.prompts().get(3), 33)).as("the same group sharing").isTrue();
  }

  @Test
  void shouldExtendEachConversationTurnByTurn() {
    List<int[]> p = PrefixWorkload.of("multi-turn", SHAPE).prompts();
    assertThat(p).hasSize(6);
    int[] turn0 = p.get(0);
    int[] turn1 = p.get(3); // conversation 0, turn 1
    assertThat(turn1).hasSize(turn0.length + 32);
    assertThat(sharesPrefix(turn1, turn0, turn0.length)).isTrue();
  }

  @Test
  void shouldOpenEveryRequestWithOneSystemPrompt() {
    PrefixWorkload w = PrefixWorkload.of("system-prompt", SHAPE);
    assertThat(w.prompts()).hasSize(6).allSatisfy(t -> assertThat(sharesPrefix(t, w.prompts().get(0), 33)).isTrue());
    assertThat(w.ceiling(16)).isEqualTo(5 * 32.0 / (6 * 49));
    assertThatThrownBy(() -> PrefixWorkload.of("chat", SHAPE)).hasMessageContaining("groups, multi-turn, system-prompt");
  }

  @Test
  void shouldJudgeCacheAwareAgainstTheOtherPoliciesOfTheRun() {
    Map<String, Long> even = Map.of("s0w0", 6L, "s0w1", 6L);
    PrefixResult random = new PrefixResult("random", "groups", new double[] {1900, 2100}, new double[] {2000}, 20, 100, 10, 12,
        1000, 3, 0, 0.8, even, Map.of("load_balanced", 3L));
    PrefixResult hash = new PrefixResult("prefix_hash", "groups", new double[] {150, 190}, new double[] {200}, 20, 100, 78, 12,
        1000, 3, 0, 0.8, Map.of("s0w0", 12L, "s0w1", 0L), Map.of());
    PrefixResult ca = new PrefixResult("cache_aware", "groups", new double[] {160, 250}, new double[] {300}, 20, 100, 77, 12,
        1000, 3, 0, 0.8, even, Map.of());
    List<dev.sluice.bench.policy.PolicyTargets.Target> t = PrefixTargets.check(
        List.of(PrefixFigures.of(random), PrefixFigures.of(hash), PrefixFigures.of(ca)));
    assertThat(t).extracting(x -> x.name() + " " + x.pass()).containsExactly("TTFT p50 vs random true",
        "TTFT p50 vs prefix_hash false", "cached share of the ceiling true", "busiest/mean worker true");
    assertThat(hash.busiestOverMean()).isEqualTo(2.0);
    assertThat(ca.ttft(50)).isEqualTo(250);
    assertThat(random.ttftMs()).containsExactly(1900, 2000, 2100);
    assertThat(random.hitTtft(50)).isEqualTo(1900);
    assertThat(random.coldTtft(50)).isEqualTo(2000);
    assertThat(PrefixReport.table(List.of(random))).contains("1900 / 2000").contains("load_balanced 3");
  }

  @Test
  void shouldTakeEachFigureOnItsOwnMedianOverTheRounds() {
    PrefixResult slow = new PrefixResult("cache_aware", "groups", new double[] {900, 950}, new double[] {3000}, 20, 100, 70,
        12, 4000, 3, 0, 0.8, Map.of("s0w0", 3L, "s0w1", 0L), Map.of());
    PrefixResult fast = new PrefixResult("cache_aware", "groups", new double[] {100, 120}, new double[] {}, -1, 100, 80, 12,
        1000, 3, 0, 0.8, Map.of("s0w0", 2L, "s0w1", 1L), Map.of());
    PrefixResult middle = new PrefixResult("cache_aware", "groups", new double[] {300, 310}, new double[] {500}, 30, 100, 76,
        12, 2000, 2, 1, 0.8, Map.of("s0w0", 2L, "s0w1", 2L), Map.of());

    PrefixFigures f = PrefixFigures.median(List.of(slow, fast, middle));

    assertThat(f.rounds()).isEqualTo(3);
    assertThat(f.ttftP50Ms()).isEqualTo(310); // 950, 100, 310
    assertThat(f.ttftP99Ms()).isEqualTo(500); // 3000, 120, 500
    assertThat(f.cold()).isEqualTo(1); // 1, 0, 1
    assertThat(f.coldTtftP50Ms()).as("over the rounds that had a cold request").isEqualTo(1750);
    assertThat(f.tpotMs()).as("over the rounds that had one").isEqualTo(25);
    assertThat(f.cachedShare()).isEqualTo(0.76);
    assertThat(f.busiestOverMean()).isEqualTo(4.0 / 3); // 2.0, 1.33, 1.0 (requests: 3 / 0, 2 / 1, 2 / 2)
    assertThat(f.tokensPerSecond()).isEqualTo(6); // 3, 12, 6
    assertThat(f.rejected()).isEqualTo(0);
    assertThat(PrefixReport.medianTable(List.of(f))).contains("cache_aware").contains("310").contains("1.33");
    PrefixResult other = new PrefixResult("random", "groups", new double[] {1}, new double[] {}, -1, 1, 0, 1, 1, 1, 0, 0.8,
        Map.of(), Map.of());
    assertThatThrownBy(() -> PrefixFigures.median(List.of(slow, other))).hasMessageContaining("different runs");
  }

  @Test
  void shouldKeepTheColdRequestsApartFromTheCacheHits() {
    PrefixStats stats = new PrefixStats();
    stats.completed(317, 0, 4, 1100, 1300, 10);
    stats.completed(317, 288, 4, 200, 400, 20);
    stats.completed(317, 288, 4, 240, 420, 30);
    PrefixResult r = stats.result("cache_aware", "groups", 0.8, Map.of(), Map.of());
    assertThat(r.coldTtftMs()).containsExactly(1100);
    assertThat(r.hitTtftMs()).containsExactly(200, 240);
    assertThat(r.ttft(50)).isEqualTo(240);
    assertThat(r.ttft(99)).isEqualTo(1100);
  }
}
