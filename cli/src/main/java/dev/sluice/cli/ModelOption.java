package dev.sluice.cli;

import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The required {@code --model} of the commands that work on one model: its folder or a hub id. */
final class ModelOption {
  @Option(names = "--model", required = true,
      description = "Model directory (config.json, safetensors, tokenizer) or hub id ORG/NAME[@REVISION].")
  String model;

  /** The model folder (pulled from the hub first when --model is an id); the hub's lines go to {@code log}. */
  Path resolve(Consumer<String> log) {
    return ModelReferences.resolve(model, log);
  }

  @Override
  public String toString() {
    return model;
  }
}
