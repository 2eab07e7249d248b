package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate, split, import-llama2c and init-model from the command line. */
class ModelCommandsTest extends CommandTestSupport {
  static Path stories260K() {
    return shared("models/stories260K/model.safetensors").getParent();
  }

  /** The continuation that golden_once_upon_a_time.bin's greedy tokens spell (40 tokens after the prompt). */
  static final String GOLDEN_STORY = ", there was a little girl named Lily. She loved to play outside in the park."
      + " One day, she saw a big, red ball.";

  @Test
  void shouldPrintTheGoldenStoryWhenGeneratingGreedily() {
    Path model = stories260K();
    assertThat(sluice("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "40",
        "--quiet")).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(GOLDEN_STORY + System.lineSeparator());
  }

  @Test
  void shouldStreamPromptAndTokensThenTokensPerSecond() {
    Path model = stories260K();
    assertThat(sluice("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--max-tokens", "40"))
        .as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("Once upon a time" + GOLDEN_STORY).contains("tokens/s");
  }

  @Test
  void shouldImportSplitAndGenerateTheSameStory(@TempDir Path dir) {
    Path model = stories260K();
    Path imported = dir.resolve("imported");
    assertThat(sluice("import-llama2c", "--checkpoint", model.resolve("stories260K.bin").toString(), "--tokenizer",
        model.resolve("tok512.bin").toString(), "--out", imported.toString())).as(err.toString()).isZero();
    Path split = dir.resolve("split");
    assertThat(sluice("split", "--model", imported.toString(), "--stages", "2", "--out", split.toString()))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("stage 0: layers 0-2", "stage 1: layers 3-4");
    out.getBuffer().setLength(0);
    assertThat(sluice("generate", "--model", split.toString(), "--prompt", "Once upon a time", "--max-tokens", "40",
        "--quiet")).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(GOLDEN_STORY + System.lineSeparator());
  }

  @Test
  void shouldInitASeededRandomModelThatGenerates(@TempDir Path dir) {
    Path model = dir.resolve("random");
    assertThat(sluice("init-model", "--shape", "tiny-gpt2,layers=2,hidden=64", "--out", model.toString(), "--seed", "3"))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("gpt2, 2 layers, hidden 64");
    assertThat(sluice("generate", "--model", model.toString(), "--prompt", "hi", "--max-tokens", "5")).isZero();
    assertThat(out.toString()).contains(" generated (");
  }

  @Test
  void shouldRejectAnUnknownShapePresetWithTheChoices(@TempDir Path dir) {
    assertThat(sluice("init-model", "--shape", "gpt5", "--out", dir.toString())).isNotZero();
    assertThat(err.toString()).contains("unknown shape preset 'gpt5'", "gpt2-small");
  }
}
