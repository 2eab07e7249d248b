package dev.sluice.bench.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Request;
import dev.sluice.testing.SharedData;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingSimulationTest {

  /**
   * Every prompt opens with one 4-block system prompt, then one of 40 conversation prefixes
   * (4 blocks), then 2 blocks of its own — the shape that sends everything to one lane under
   * prefix_hash.
   */
  private static List<Request> systemPromptTrace() {
    Random random = new Random(3);
    List<Request> trace = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 2_000; i++) {
      t += (long) (-Math.log(1 - random.nextDouble()) * 12); // Poisson arrivals, mean 12 ms apart
      int conversation = random.nextInt(40);
      long[] blocks = new long[10];
      for (int b = 0; b < 4; b++) blocks[b] = b; // system prompt
      for (int b = 4; b < 8; b++) blocks[b] = 1_000 + conversation * 10L + b; // conversation (chained: unique per conversation)
      for (int b = 8; b < 10; b++) blocks[b] = 1_000_000 + i * 10L + b; // this request only
      trace.add(Request.fromBlockIds("r" + i, t, 10 * 16, 8, 16, blocks));
    }
    return trace;
  }

  private static Map<String, Report> runAll(List<Request> trace, RoutingSimulation.Settings settings) {
    Map<String, Report> reports = new HashMap<>();
    for (String policy : RoutingPolicies.NAMES) {
      Report report = RoutingSimulation.run(policy, trace, settings, 11);
      reports.put(policy, report);
      System.out.println(report.line() + "  per lane " + Arrays.toString(report.requestsPerLane()));
    }
    return reports;
  }

  @Test
  void shouldKeepMostOfTheCacheHitsWithoutPilingEverythingOnOneLane() {
    Map<String, Report> r = runAll(systemPromptTrace(),
        new RoutingSimulation.Settings(8, 200, 2_000, 2, CacheAwareParams.DEFAULTS));

    // prefix_hash: one lane takes everything.
    assertThat(Arrays.stream(r.get("prefix_hash").requestsPerLane()).filter(n -> n > 0).count()).isEqualTo(1);
    // cache_aware: far more even, and far more cache hits than load-only routing.
    assertThat(r.get("cache_aware").busyMaxOverMean()).isLessThan(r.get("prefix_hash").busyMaxOverMean() / 2);
    assertThat(r.get("cache_aware").hitRate()).isGreaterThan(r.get("random").hitRate() + 0.1);
    assertThat(r.get("precise").hitRate()).isGreaterThan(r.get("least_load").hitRate());
    assertThat(r.get("cache_aware").hitRate()).isLessThanOrEqualTo(r.get("cache_aware").pooledHitRate());
  }

  @Test
  void shouldReportEveryPolicyOnTheMooncakeTrace() throws Exception {
    Optional<Path> file = SharedData.findMooncakeTrace();
    assumeTrue(file.isPresent(), "shared traces (../shared/traces) missing: skipping the Mooncake trace report");
    List<Request> trace = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = Files.newBufferedReader(file.get())) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode n = json.readTree(line);
        long[] ids = new long[n.get("hash_ids").size()];
        for (int i = 0; i < ids.length; i++) ids[i] = n.get("hash_ids").get(i).asLong();
        trace.add(Request.fromBlockIds("m" + trace.size(), n.get("timestamp").asLong(), n.get("input_length").asInt(),
            n.get("output_length").asInt(), 512, ids));
      }
    }
    // 8 lanes, 1,000 blocks of 512 tokens each, 20k prompt tokens/s and 2 ms per output token (batched) per lane:
    // about 50% busy without cache hits.
    Map<String, Report> r = runAll(trace, new RoutingSimulation.Settings(8, 1_000, 20_000, 2, CacheAwareParams.DEFAULTS));
    assertThat(r.get("cache_aware").requests()).isEqualTo(trace.size());
    assertThat(r.get("cache_aware").hitRate()).isGreaterThan(r.get("random").hitRate());
  }
}
