package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.embedded.ModelLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice verify: golden logits through a model or its splits, exit code by tolerance. */
class VerifyCommandTest extends CommandTestSupport {
  static Path golden(String relative) {
    return shared("golden/" + relative);
  }

  @Test
  void shouldVerifyTheEmbeddedModelAgainstLlama2cGoldenLogitsInTwoStages() {
    Path golden = golden("stories260K/golden_once_upon_a_time.bin");
    int code = sluice("verify", "--model", ModelLocator.embeddedModel().toString(), "--golden", golden.toString(),
        "--stages", "2");
    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString()).contains("layers 0-2 | 3-4").contains("verified").containsPattern("argmax agrees at (\\d+)/\\1 ");
  }

  @Test
  void shouldVerifyEverySplitOfAQwen3Checkpoint() {
    Path dir = golden("hf-families/tiny-qwen3");
    int code = sluice("verify", "--model", dir.toString(), "--golden", dir.resolve("golden_tiny-qwen3.bin").toString(),
        "--all-splits", "--chunk", "5");
    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString().lines().filter(l -> l.startsWith("ok "))).hasSize(4);
  }

  @Test
  void shouldExitNonZeroWhenAConversionIsWrong(@TempDir Path tmp) throws Exception {
    Path dir = golden("hf-families/tiny-llama3");
    // the same weights with the llama3 RoPE scaling dropped from the config: a typical conversion slip
    Files.copy(dir.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
    String config = Files.readString(dir.resolve("config.json")).replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"default\"");
    Files.writeString(tmp.resolve("config.json"), config);
    int code = sluice("verify", "--model", tmp.toString(), "--golden", dir.resolve("golden_tiny-llama3.bin").toString());
    assertThat(code).as(out.toString()).isEqualTo(1);
    assertThat(out.toString()).contains("FAIL").contains("MISMATCH");
  }
}
