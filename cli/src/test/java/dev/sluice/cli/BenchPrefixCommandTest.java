package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.embedded.ModelLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice bench prefix} through the real in-process pipeline with the embedded stories260K model. */
class BenchPrefixCommandTest extends CommandTestSupport {

  @Test
  void shouldServeEveryCachedPrefixOnceWarmUnderCacheAwareAndReportTheCdf(@TempDir Path dir) throws IOException {
    Path report = dir.resolve("prefix.html");

    // 2 groups x 3 questions behind 64-token system prompts, one request at a time, two rounds: under
    // cache_aware every repeat of a group finds its prefix where the first one left it, so the cached share
    // is the ceiling, in each round and as the median.
    int code = sluice("bench", "prefix", "--model", ModelLocator.embeddedModel().toString(), "--workloads", "groups",
        "--policies", "random,cache_aware", "--groups", "2", "--questions", "3", "--prefix-tokens", "64",
        "--concurrency", "1", "--rounds", "2", "--warmup", "0", "--jvm-warmup-rounds", "1", "--max-tokens", "2", "--out", report.toString());

    assertThat(code).as(err.toString()).isZero();
    String printed = out.toString();
    assertThat(printed).contains("warm-up 1: the JVM compiler took");
    assertThat(printed).contains("workload groups: 2 groups x 3 questions").contains("cached-share ceiling 52.7%");
    List<String[]> rows = printed.substring(0, printed.indexOf("medians over")).lines().filter(l -> l.matches("^(random|cache_aware) +\\d+ +\\d+ .*"))
        .map(l -> l.split(" +")).toList();
    assertThat(printed).contains("round 1 of 2: random, cache_aware").contains("round 2 of 2: cache_aware, random");
    assertThat(rows).extracting(r -> r[0]).as("each round's table, in the order of --policies")
        .containsExactly("random", "cache_aware", "random", "cache_aware");
    assertThat(rows).allSatisfy(r -> assertThat(r[1] + "/" + r[2]).as("ok/rejected of " + r[0]).isEqualTo("6/0"));
    // columns: policy ok rej p50 p90 p99 cold hit "/" cold TPOT tok/s cached of-ceiling workers...
    for (String[] ca : List.of(rows.get(1), rows.get(3))) {
      assertThat(ca[12]).as("cache_aware's cached share").isEqualTo("52.7%");
      assertThat(ca[13]).as("of the ceiling").isEqualTo("1.00");
      assertThat(ca[6]).as("cache_aware's cold requests: each group's first").isEqualTo("2");
    }
    // the routers' lane choices, from their metrics: each group's first request is a new prefix, every
    // repeat an affinity hit (one request at a time, so no lane is ever over the load bound)
    List<String> lines = printed.substring(0, printed.indexOf("medians over")).lines()
        .filter(l -> l.matches("^(random|cache_aware) +\\d+ +\\d+ .*")).toList();
    assertThat(lines.get(1)).endsWith("affinity_hit 4, new_prefix 2");
    assertThat(lines.get(3)).endsWith("affinity_hit 4, new_prefix 2");
    assertThat(lines.get(0)).endsWith("load_balanced 6");
    String medians = printed.substring(printed.indexOf("medians over 2 rounds:"));
    // columns: policy rounds ok rej p50 p90 p99 cold hit "/" cold TPOT tok/s cached of-ceiling busiest/mean
    String[] caMedian = medians.lines().filter(l -> l.startsWith("cache_aware ")).findFirst().orElseThrow().split(" +");
    assertThat(caMedian[1] + " " + caMedian[2] + " " + caMedian[7]).as("rounds, ok, cold").isEqualTo("2 6 2");
    assertThat(caMedian[13] + " " + caMedian[14]).as("cached share, of the ceiling").isEqualTo("52.7% 1.00");
    assertThat(printed).contains("[pass] cached share of the ceiling");
    String html = Files.readString(report);
    assertThat(html).contains("<h3>Medians over 2 rounds</h3>").contains("<h3>Round 2</h3>")
        .contains("<h3>TTFT CDF (every round)</h3>").contains("<polyline");
    assertThat(html.split("<polyline", -1)).hasSize(1 + 2);
  }
}
