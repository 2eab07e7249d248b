package dev.sluice.bench.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Request;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyComparisonTest {
  private static final Settings SETTINGS = new Settings(4, 100, 2_000, 2, CacheAwareParams.DEFAULTS);

  /** 600 requests, 15 ms apart: one 2-block system prompt, one of 12 conversations at random (3 blocks), 1 block of their own. */
  private static List<Request> systemPromptTrace() {
    Random random = new Random(5);
    List<Request> trace = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      long conversation = random.nextInt(12);
      long[] blocks = {0, 1, 100 + conversation * 3, 101 + conversation * 3, 102 + conversation * 3, 10_000 + i};
      trace.add(Request.fromBlockIds("r" + i, i * 15L, 6 * 16, 4, 16, blocks));
    }
    return trace;
  }

  private static final PolicyReport.Workload WORKLOAD = new PolicyReport.Workload("system prompt", 600, 600 * 15, 600 * 96,
      600 * 4, 2 + 36 + 600, 16);

  @Test
  void shouldReportEachPolicyInTheOrderGivenWithProgressLines() {
    List<String> progress = new ArrayList<>();

    PolicyReport report = PolicyComparison.run(WORKLOAD, systemPromptTrace(), SETTINGS,
        List.of("prefix_hash", "round_robin", "cache_aware"), 11, progress::add);

    assertThat(report.reports()).extracting(Report::policy).containsExactly("prefix_hash", "round_robin", "cache_aware");
    assertThat(progress).hasSize(6).first().asString().startsWith("[1/3] prefix_hash: replaying 600 requests on 4 lanes");
    Report prefixHash = report.reports().get(0);
    Report roundRobin = report.reports().get(1);
    Report cacheAware = report.reports().get(2);
    // one system prompt opens every request: prefix_hash puts them all on one lane
    assertThat(Arrays.stream(prefixHash.requestsPerLane()).filter(n -> n > 0)).hasSize(1);
    assertThat(roundRobin.requestsPerLane()).containsExactly(150, 150, 150, 150);
    assertThat(cacheAware.hitRate()).isGreaterThan(roundRobin.hitRate()).isLessThanOrEqualTo(cacheAware.pooledHitRate());
    assertThat(cacheAware.busyMaxOverMean()).isLessThan(prefixHash.busyMaxOverMean());
  }

  @Test
  void shouldRefuseAnUnknownPolicyBeforeRunningAny() {
    List<String> progress = new ArrayList<>();

    assertThatThrownBy(() -> PolicyComparison.run(WORKLOAD, systemPromptTrace(), SETTINGS, List.of("random", "fastest"), 1,
        progress::add)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fastest'")
        .hasMessageContaining("cache_aware");
    assertThat(progress).isEmpty();
  }
}
