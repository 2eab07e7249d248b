package dev.sluice.bench.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTargetsTest {
  private static final PolicyReport.Workload WORKLOAD = new PolicyReport.Workload("t", 100, 10_000, 1_000_000, 10_000, 50, 512);

  private static Report report(String policy, double hit, double imbalance, double mean, double p99, int... perLane) {
    return new Report(policy, 100, 1_000_000, (long) (hit * 1_000_000), hit, 0.4, perLane, imbalance, mean, p99, Map.of());
  }

  @Test
  void shouldPassOnlyTheTargetsThatHold() {
    Settings s = new Settings(4, 100, 10_000, 2, CacheAwareParams.DEFAULTS);
    PolicyReport r = new PolicyReport(WORKLOAD, s, 1, List.of(report("least_load", 0.02, 1.2, 900, 3000, 25, 25, 25, 25),
        report("cache_aware", 0.36, 1.12, 800, 3100, 40, 30, 20, 10)));
    assertThat(PolicyTargets.check(r)).extracting(t -> t.name() + " " + t.pass()).containsExactly(
        "hit rate of the pooled ceiling true", "busiest/mean lane false", "mean latency vs least_load true",
        "p99 latency vs least_load false", "fewest requests on a lane false");
    assertThat(PolicyTargets.allPass(PolicyTargets.check(r))).isFalse();
  }

  @Test
  void shouldScaleLaneSpeedToTheOfferedLoad() {
    Settings given = new Settings(4, 100, 10_000, 2, CacheAwareParams.DEFAULTS);
    // given: (1e6 / 1e4 s + 1e4 x 2 ms) = 120 s of service over 4 lanes x 10 s = 300%
    assertThat(LoadSweep.offered(WORKLOAD, given)).isEqualTo(3.0);
    Settings at = LoadSweep.atLoad(WORKLOAD, given, 0.8);
    assertThat(LoadSweep.offered(WORKLOAD, at)).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(at.prefillTokensPerSecond() / at.decodeMsPerToken()).isCloseTo(10_000 / 2.0 * 3.75 * 3.75,
        org.assertj.core.data.Offset.offset(1e-6));
    assertThat(LoadSweep.atLoad(WORKLOAD, given, 0)).isSameAs(given);
  }
}
