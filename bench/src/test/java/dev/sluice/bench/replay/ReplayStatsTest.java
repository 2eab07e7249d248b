package dev.sluice.bench.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayStatsTest {

  @Test
  void shouldSumTokensComputeHitRateAndPercentiles() {
    ReplayStats stats = new ReplayStats("cache_aware");
    stats.submitted(1_000);
    for (int i = 1; i <= 100; i++) stats.completed(100, 50, 4, i, 10 * i, 1_000 + 10 * i);
    stats.failed();

    PolicyResult r = stats.result(Map.of("s0w0", 60L, "s0w1", 41L));

    assertThat(r.ok()).isEqualTo(100);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(stats.finished()).isEqualTo(101);
    assertThat(r.hitRate()).isEqualTo(0.5);
    assertThat(r.ttftP50Ms()).isEqualTo(50);
    assertThat(r.ttftP99Ms()).isEqualTo(99);
    assertThat(r.latencyP99Ms()).isEqualTo(990);
    assertThat(r.wallMs()).isEqualTo(1_000);
    assertThat(r.generatedTokensPerSecond()).isEqualTo(400.0);
  }

  @Test
  void shouldPrintOneRowPerPolicyInTextAndMarkdown() {
    PolicyResult a = new ReplayStats("cache_aware").result(Map.of("s0w0", 3L));
    PolicyResult b = new ReplayStats("round_robin").result(Map.of("s0w0", 2L));

    String text = ReplayTable.text(List.of(a, b));
    String md = ReplayTable.markdown(List.of(a, b), "scale: test");

    assertThat(text.lines()).hasSize(3);
    assertThat(text.lines().skip(1).map(l -> l.split(" +")[0])).containsExactly("cache_aware", "round_robin");
    assertThat(md).contains("scale: test").contains("| cache_aware | 0 | 0 |").contains("s0w0=2 |");
  }
}
