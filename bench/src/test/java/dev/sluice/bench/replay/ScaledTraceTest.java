package dev.sluice.bench.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaledTraceTest {
  private static final ReplayScale SCALE = new ReplayScale(200, 16, 20, 16, 0.05, 512, 1);

  @Test
  void shouldGiveTheSameTokensForTheSameHashIdAndDifferentTokensForAnother() {
    int[] a = ScaledTrace.blockTokens(42, 16, 512);
    int[] again = ScaledTrace.blockTokens(42, 16, 512);
    int[] other = ScaledTrace.blockTokens(43, 16, 512);

    assertThat(again).containsExactly(a);
    assertThat(other).isNotEqualTo(a);
    assertThat(a).hasSize(16);
    assertThat(Arrays.stream(a).min().getAsInt()).isGreaterThanOrEqualTo(ReplayScale.FIRST_TOKEN_ID);
    assertThat(Arrays.stream(a).max().getAsInt()).isLessThan(512);
  }

  @Test
  void shouldShareExactlyThePromptPrefixOfSharedLeadingHashIds(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("trace.jsonl");
    Files.writeString(file, """
        {"timestamp": 0, "input_length": 1200, "output_length": 6, "hash_ids": [0, 1, 2]}

        {"timestamp": 1000, "input_length": 1100, "output_length": 9, "hash_ids": [0, 1, 3]}
        {"timestamp": 2000, "input_length": 100, "output_length": 1, "hash_ids": [4]}
        """);

    List<ScaledRequest> r = ScaledTrace.read(file, SCALE).requests();

    assertThat(r).extracting(ScaledRequest::id).containsExactly("m0", "m1", "m2");
    assertThat(r.get(0).promptTokens()).hasSize(1 + 3 * 16).startsWith(1);
    // BOS + blocks 0 and 1 are shared, the third block differs.
    int shared = 1 + 2 * 16;
    assertThat(Arrays.copyOf(r.get(1).promptTokens(), shared)).containsExactly(Arrays.copyOf(r.get(0).promptTokens(), shared));
    assertThat(Arrays.copyOfRange(r.get(1).promptTokens(), shared, shared + 16))
        .isNotEqualTo(Arrays.copyOfRange(r.get(0).promptTokens(), shared, shared + 16));
    assertThat(r.get(2).promptTokens()[1]).isEqualTo(ScaledTrace.blockTokens(4, 16, 512)[0]);
    assertThat(r).extracting(ScaledRequest::arrivalMs).containsExactly(0L, 50L, 100L);
  }

  @Test
  void shouldCapBlocksOutputTokensAndRequestCount(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("trace.jsonl");
    long[] many = new long[30];
    for (int i = 0; i < many.length; i++) many[i] = i;
    String line = "{\"timestamp\": 0, \"input_length\": 15000, \"output_length\": 400, \"hash_ids\": " + Arrays.toString(many) + "}\n";
    Files.writeString(file, line.repeat(5));
    ReplayScale scale = new ReplayScale(3, 8, 20, 16, 0.05, 512, 1);

    ScaledTrace trace = ScaledTrace.read(file, scale);

    assertThat(trace.requests()).hasSize(3);
    ScaledRequest first = trace.requests().get(0);
    assertThat(first.promptTokens()).hasSize(1 + 20 * 8);
    assertThat(first.hashIds()).hasSize(20);
    assertThat(first.maxTokens()).isEqualTo(16);
    assertThat(first.promptTokens().length + first.maxTokens()).isLessThanOrEqualTo(scale.maxSequenceTokens());
  }

  @Test
  void shouldNameTheLineOfABrokenRequest(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("trace.jsonl");
    Files.writeString(file, "{\"timestamp\": 0, \"output_length\": 1, \"hash_ids\": [1]}\n{\"timestamp\": 5}\n");

    assertThatThrownBy(() -> ScaledTrace.read(file, SCALE)).isInstanceOf(IOException.class).hasMessageContaining(":2:");
  }

  @Test
  void shouldWarmUpWithFullLengthPromptsThatShareNoBlockWithTheTraceOrEachOther() {
    List<ScaledRequest> warmup = ScaledTrace.warmup(3, SCALE);

    assertThat(warmup).hasSize(3).allSatisfy(r -> {
      assertThat(r.promptTokens()).hasSize(1 + 20 * 16);
      assertThat(r.maxTokens()).isEqualTo(16);
      assertThat(Arrays.stream(r.hashIds()).max().getAsLong()).isNegative();
    });
    assertThat(warmup.get(0).hashIds()).doesNotContain(warmup.get(1).hashIds());
  }

  @Test
  void shouldRefuseAScaleThatCannotWork() {
    assertThatThrownBy(() -> new ReplayScale(10, 16, 20, 16, 0, 512, 1)).hasMessageContaining("--time-scale");
  }
}
