package dev.sluice.bench.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import dev.sluice.bench.trace.ConversationShapedTrace;
import dev.sluice.bench.trace.MooncakeTrace;
import dev.sluice.router.policy.CacheAwareParams;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bench policies' targets on a second kind of trace, read from a Mooncake-format file as a user's
 * trace would be: conversations (each turn extends an earlier prompt) behind an opening every prompt
 * shares, at 80% offered load without cache, as `sluice bench policies --trace FILE --lanes 8,64` runs it.
 * With one opening block, lanes that had never served a request stayed empty at 64 lanes until
 * cache_aware stopped counting matches under a tenth of the prompt.
 */
class ConversationTraceTargetsTest {

  @ParameterizedTest(name = "{0} lanes, seed {1}, {2} opening blocks")
  @CsvSource({"8, 1, 1", "64, 1, 1", "64, 3, 4"})
  void shouldMeetEveryTargetAndStarveNoLane(int lanes, long seed, int openingBlocks, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("conversations.jsonl");
    int requests = ConversationShapedTrace.write(file, seed, openingBlocks);
    MooncakeTrace trace = MooncakeTrace.read(file);
    assertThat(trace.requests()).hasSize(requests).hasSizeGreaterThan(11_000);
    PolicyReport.Workload workload = PolicyReport.Workload.of(trace);
    Settings settings = LoadSweep.atLoad(workload, new Settings(lanes, 1_000, 20_000, 2, CacheAwareParams.DEFAULTS), 0.8);

    PolicyReport report = PolicyComparison.run(workload, trace.requests(), settings,
        List.of("least_load", "cache_aware", "precise"), 11, line -> {});
    System.out.print(report.table());
    List<PolicyTargets.Target> targets = PolicyTargets.check(report);
    targets.forEach(t -> System.out.println(t.line()));
    assertThat(targets).allSatisfy(t -> assertThat(t.pass()).as(t.line()).isTrue());

    // precise shares cache_aware's choice: it must not starve a lane either.
    Report precise = report.reports().get(2);
    double mean = Arrays.stream(precise.requestsPerLane()).average().orElseThrow();
    assertThat(PolicyReport.minPerLane(precise)).isGreaterThanOrEqualTo((int) Math.ceil(PolicyTargets.MIN_LANE_SHARE * mean));
    assertThat(precise.busyMaxOverMean()).isLessThanOrEqualTo(PolicyTargets.MAX_IMBALANCE);
  }
}
