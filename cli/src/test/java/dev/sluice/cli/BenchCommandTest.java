package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice bench policies} on the real Mooncake trace, and its argument checks. */
class BenchCommandTest extends CommandTestSupport {
  private static Path mooncakeTrace() {
    return shared(MOONCAKE_TRACE);
  }

  @Test
  void shouldPrintDecisionRatesPerLaneCountWithTheirTargets() {
    int code = sluice("bench", "decisions", "--lanes", "8,64", "--prefixes", "500", "--decisions", "2000", "--rounds", "2");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("cache_aware, 500 prefixes of 8 blocks").contains("round 2,    8 lanes:")
        .contains("round 2,   64 lanes:").contains("median   64 lanes:").contains("decisions/s at 64 lanes")
        .contains("flat in the lane count");
    assertThat(sluice("bench", "decisions", "--policy", "fastest")).isEqualTo(2);
  }

  @Test
  void shouldPrintTheTargetsAtTheOfferedLoadAndDrawTheSweep(@TempDir Path dir) throws IOException {
    Path trace = mooncakeTrace();
    Path report = dir.resolve("sweep.html");

    int code = sluice("bench", "policies", "--trace", trace.toString(), "--lanes", "4", "--load", "0.8",
        "--policies", "least_load,cache_aware", "--sweep", "0.5,0.9", "--report", report.toString());

    assertThat(code).as(err.toString()).isZero();
    String printed = out.toString();
    assertThat(printed).contains("offered load without cache hits: 80% of lane capacity")
        .contains("targets (cache_aware, 4 lanes, 80% offered load")
        .contains("hit rate of the pooled ceiling").contains("fewest requests on a lane")
        .contains("sweep  50%:").contains("sweep  90%:");
    assertThat(printed.lines().filter(l -> l.startsWith("  [pass]") || l.startsWith("  [FAIL]"))).hasSize(5);
    String html = Files.readString(report);
    assertThat(html).contains("Hit rate against offered load").contains("p99 latency against offered load")
        .contains("Targets (cache_aware)");
    assertThat(html.split("<svg ", -1)).hasSize(1 + 4 + 3);
  }

  @Test
  void shouldCompareEveryPolicyOnTheMooncakeTraceAndWriteTheReport(@TempDir Path dir) throws IOException {
    Path trace = mooncakeTrace();
    Path report = dir.resolve("policies.html");

    int code = sluice("bench", "policies", "--trace", trace.toString(), "--lanes", "4", "--out", report.toString());

    assertThat(code).as(err.toString()).isZero();
    String printed = out.toString();
    assertThat(printed).contains("3,993 requests").contains("[7/7] precise: hit rate").contains("report: ");
    List<String> rows = printed.lines().filter(l -> l.matches("^[a-z_]+ +\\d+\\.\\d%.*")).toList();
    assertThat(rows).extracting(l -> l.split(" +")[0])
        .containsExactly("random", "round_robin", "power_of_two", "least_load", "prefix_hash", "cache_aware", "precise");
    double cacheAwareHit = Double.parseDouble(rows.get(5).split(" +")[1].replace("%", ""));
    double randomHit = Double.parseDouble(rows.get(0).split(" +")[1].replace("%", ""));
    assertThat(cacheAwareHit).isGreaterThan(randomHit);

    String html = Files.readString(report);
    assertThat(html.split("<tr class=\"policy\">", -1)).hasSize(1 + 7);
    assertThat(html.split("<svg ", -1)).hasSize(1 + 4);
    assertThat(html).contains("mooncake_synthetic_trace.jsonl").contains("<dt>lanes</dt><dd>4</dd>")
        .contains("blocks of 512 tokens").contains("<td>" + rows.get(5).split(" +")[1] + "</td>");
  }

  @Test
  void shouldRunOnlyTheNamedPolicies(@TempDir Path dir) throws IOException {
    Path trace = mooncakeTrace();
    Path report = dir.resolve("two.html");

    int code = sluice("bench", "policies", "--trace", trace.toString(), "--lanes", "2", "--policies",
        "round_robin,cache_aware", "--out", report.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("[2/2] cache_aware").doesNotContain("precise");
    assertThat(Files.readString(report).split("<tr class=\"policy\">", -1)).hasSize(1 + 2);
  }

  @Test
  void shouldRefuseAnUnknownPolicyNamingTheKnownOnes(@TempDir Path dir) throws IOException {
    Path trace = dir.resolve("t.jsonl");
    Files.writeString(trace, "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": [0]}\n");

    int code = sluice("bench", "policies", "--trace", trace.toString(), "--policies", "fastest", "--out",
        dir.resolve("x.html").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown routing policy 'fastest'").contains("cache_aware");
    assertThat(dir.resolve("x.html")).doesNotExist();
  }

  @Test
  void shouldListTheThreeBenchmarks() {
    assertThat(sluice("bench")).isZero();
    assertThat(out.toString()).contains("policies").contains("model").contains("pipeline");
  }
}
