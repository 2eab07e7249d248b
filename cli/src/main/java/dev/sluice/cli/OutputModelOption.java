package dev.sluice.cli;

import dev.sluice.model.ModelConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The required {@code --out} of the commands that write a model directory, and the line that says what they wrote. */
final class OutputModelOption {
  @Option(names = "--out", paramLabel = "<out>", required = true, description = "Output model directory.")
  Path dir;

  /** {@code wrote DIR: llama, 5 layers, hidden 64, 8 heads (4 KV), vocab 512}. */
  String wrote(ModelConfig cfg) {
    return String.format("wrote %s: %s, %d layers, hidden %d, %d heads (%d KV), vocab %d", dir, cfg.modelType(),
        cfg.numLayers(), cfg.hiddenSize(), cfg.numHeads(), cfg.numKvHeads(), cfg.vocabSize());
  }
}
