package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.embedded.ModelLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice bench replay} through the real in-process pipeline with the shared stories260K model. */
class BenchReplayCommandTest extends CommandTestSupport {

  /** Rows of the final table: lines that start with a policy name followed by numbers. */
  private List<String[]> tableRows() {
    return out.toString().lines().filter(l -> l.matches("^[a-z_]+ +\\d+ +\\d+ .*")).map(l -> l.split(" +")).toList();
  }

  @Test
  void shouldCompleteEveryReplayedTraceRequestUnderEachPolicy(@TempDir Path dir) throws IOException {
    Path trace = shared(MOONCAKE_TRACE);
    Path model = ModelLocator.embeddedModel();
    Path report = dir.resolve("replay.md");

    int code = sluice("bench", "replay", "--trace", trace.toString(), "--model", model.toString(), "--requests", "20",
        "--policies", "cache_aware,round_robin", "--max-tokens", "4", "--warmup", "4", "--jvm-warmup-rounds", "1", "--out", report.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("scale: first 20 requests").contains("(20x faster)")
        .contains("warm-up: 4 requests").contains("[2/2] round_robin: ok 20, failed 0");
    List<String[]> rows = tableRows();
    assertThat(rows).extracting(r -> r[0]).containsExactly("cache_aware", "round_robin");
    for (String[] row : rows) {
      assertThat(row[1]).as("ok of " + row[0]).isEqualTo("20");
      assertThat(row[2]).as("failed of " + row[0]).isEqualTo("0");
      // Every request passed through stage 1: the served counts of the last stage add up to 20.
      long lastStage = List.of(row).stream().filter(c -> c.startsWith("s1w")).mapToLong(c -> Long.parseLong(c.split("=")[1])).sum();
      assertThat(lastStage).as("requests served by stage 1 under " + row[0]).isEqualTo(20);
    }
    assertThat(Files.readString(report)).contains("| cache_aware | 20 | 0 |").contains("| round_robin | 20 | 0 |");
  }

  @Test
  void shouldServeARepeatedPrefixFromTheCacheUnderCacheAwareRouting(@TempDir Path dir) throws IOException {
    Path model = ModelLocator.embeddedModel();
    // The first 20 trace requests share no prefix, so this trace repeats one: two requests 2 s after
    // their originals, long enough for the originals' blocks to be cached at every stage.
    Path trace = dir.resolve("repeat.jsonl");
    Files.writeString(trace, """
        {"timestamp": 0, "input_length": 5000, "output_length": 4, "hash_ids": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}
        {"timestamp": 100, "input_length": 5000, "output_length": 4, "hash_ids": [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]}
        {"timestamp": 2000, "input_length": 5000, "output_length": 4, "hash_ids": [1, 2, 3, 4, 5, 6, 7, 8, 9, 30]}
        {"timestamp": 2100, "input_length": 5000, "output_length": 4, "hash_ids": [11, 12, 13, 14, 15, 16, 17, 18, 19, 40]}
        """);

    int code = sluice("bench", "replay", "--trace", trace.toString(), "--model", model.toString(), "--requests", "4",
        "--policies", "cache_aware", "--max-tokens", "4", "--time-scale", "1", "--warmup", "4", "--jvm-warmup-rounds", "1");

    assertThat(code).as(err.toString()).isZero();
    String[] row = tableRows().get(0);
    assertThat(row[0]).isEqualTo("cache_aware");
    assertThat(row[1]).isEqualTo("4");
    assertThat(Long.parseLong(row[4])).as("cached prompt tokens\n" + out).isPositive();
  }
}
