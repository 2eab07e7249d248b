package dev.sluice.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.bench.simulation.RoutingSimulation.Request;
import dev.sluice.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MooncakeTraceTest {

  @Test
  void shouldReadEveryRequestWithSharedPrefixBlocksAsEqualHashes(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("trace.jsonl");
    Files.writeString(file, """
        {"timestamp": 0, "input_length": 1200, "output_length": 6, "hash_ids": [0, 1, 2]}

        {"timestamp": 250, "input_length": 700, "output_length": 9, "hash_ids": [0, 3]}
        {"timestamp": 900, "input_length": 100, "output_length": 1, "hash_ids": [4]}
        """);

    MooncakeTrace trace = MooncakeTrace.read(file);

    assertThat(trace.requests()).hasSize(3);
    Request first = trace.requests().get(0);
    Request second = trace.requests().get(1);
    assertThat(first.routing().requestId()).isEqualTo("m0");
    assertThat(second.arrivalMs()).isEqualTo(250);
    assertThat(second.routing().promptTokens()).isEqualTo(700);
    assertThat(second.outputTokens()).isEqualTo(9);
    assertThat(first.routing().blockSize()).isEqualTo(MooncakeTrace.BLOCK_TOKENS);
    assertThat(first.routing().blockHashes()).hasSize(3);
    // hash id 0 opens both prompts: the same block hash; ids 1 and 3 differ.
    assertThat(second.routing().blockHashes().get(0)).isEqualTo(first.routing().blockHashes().get(0));
    assertThat(second.routing().blockHashes().get(1)).isNotEqualTo(first.routing().blockHashes().get(1));
    assertThat(trace.distinctBlocks()).isEqualTo(5);
    assertThat(trace.durationMs()).isEqualTo(900);
    assertThat(trace.promptTokens()).isEqualTo(2000);
    assertThat(trace.outputTokens()).isEqualTo(16);
  }

  @Test
  void shouldNameTheLineOfAMalformedRequest(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, """
        {"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": [0]}
        {"timestamp": 5, "output_length": 1, "hash_ids": [0]}
        """);

    assertThatThrownBy(() -> MooncakeTrace.read(file)).isInstanceOf(IOException.class)
        .hasMessageContaining("bad.jsonl:2").hasMessageContaining("input_length");
  }

  @Test
  void shouldReadTheSharedMooncakeTrace() throws IOException {
    Path file = sharedTrace();
    assumeTrue(file != null, "../shared/traces/mooncake_synthetic_trace.jsonl missing: skipping");

    MooncakeTrace trace = MooncakeTrace.read(file);

    assertThat(trace.requests()).hasSize(3_993); // as documented in ../shared/traces/README.md
    assertThat(trace.requests()).allSatisfy(r -> assertThat(r.routing().blockHashes()).isNotEmpty());
  }

  /** The shared trace, or null when ../shared is absent. */
  static Path sharedTrace() {
    return SharedData.findMooncakeTrace().orElse(null);
  }
}
