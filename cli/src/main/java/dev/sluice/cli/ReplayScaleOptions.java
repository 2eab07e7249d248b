package dev.sluice.cli;

import dev.sluice.bench.replay.ReplayScale;
import dev.sluice.model.ModelConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How bench replay scales the trace to synthetic prompts ({@link ReplayScale}): which requests, how many tokens, how fast. */
final class ReplayScaleOptions {
  @Option(names = "--requests", defaultValue = "200", description = "Requests from the start of the trace (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--block-tokens", defaultValue = "16", description = "Synthetic tokens per trace hash block (default: ${DEFAULT-VALUE}).")
  int blockTokens;

  @Option(names = "--max-blocks", defaultValue = "20", description = "Leading hash blocks kept per prompt (default: ${DEFAULT-VALUE}).")
  int maxBlocks;

  @Option(names = "--max-tokens", defaultValue = "16", description = "Cap on output tokens per request (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--time-scale", defaultValue = "0.05", description = "Arrival times are multiplied by this (default: ${DEFAULT-VALUE}, 20x faster).")
  double timeScale;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** The scale in the token ids of the model of {@code config}; a usage error when it is off or the sequences outgrow the model's context. */
  ReplayScale scale(ModelConfig config) {
    ReplayScale scale;
    try {
      scale = new ReplayScale(requests, blockTokens, maxBlocks, maxTokens, timeScale, config.vocabSize(), config.bosTokenId());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
    if (scale.maxSequenceTokens() > config.maxPositions()) {
      throw new ParameterException(command.commandLine(), "--max-blocks x --block-tokens + --max-tokens = "
          + scale.maxSequenceTokens() + " exceeds the model's context of " + config.maxPositions() + " tokens");
    }
    return scale;
  }
}
