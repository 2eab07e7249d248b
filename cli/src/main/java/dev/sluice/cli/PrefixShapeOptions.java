package dev.sluice.cli;

import dev.sluice.bench.prefix.PrefixWorkload;
import dev.sluice.model.ModelConfig;
import picocli.CommandLine.Option;

/** The shape of bench prefix's workloads: G groups of Q questions behind P-token prefixes, U tokens a question. */
final class PrefixShapeOptions {
  @Option(names = "--groups", defaultValue = "8", description = "G: groups (conversations for multi-turn) (default: ${DEFAULT-VALUE}).")
  int groups;

  @Option(names = "--questions", defaultValue = "6", description = "Q: questions per group (turns for multi-turn) (default: ${DEFAULT-VALUE}).")
  int questions;

  @Option(names = "--prefix-tokens", defaultValue = "300", description = "P: tokens of each system prompt or opening (default: ${DEFAULT-VALUE}).")
  int prefixTokens;

  @Option(names = "--question-tokens", defaultValue = "16", description = "U: tokens of each question or answer (default: ${DEFAULT-VALUE}).")
  int questionTokens;

  /** The shape in the token ids of the model of {@code config}. */
  PrefixWorkload.Shape shape(ModelConfig config) {
    return new PrefixWorkload.Shape(groups, questions, prefixTokens, questionTokens, config.vocabSize(), config.bosTokenId());
  }
}
