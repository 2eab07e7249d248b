package dev.sluice.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model} of the commands that run the embedded stories260K unless told otherwise. */
final class EmbeddedModelOption {
  @Option(names = "--model", paramLabel = "DIR|ORG/NAME",
      description = "Model directory or hub id ORG/NAME[@REVISION] (default: the embedded models/stories260K).")
  String model;

  /** The model folder: the one given (pulled from the hub when it is an id), else the embedded stories260K. */
  Path resolve(PrintWriter out) {
    return ModelReferences.resolveOrEmbedded(model, out);
  }
}
