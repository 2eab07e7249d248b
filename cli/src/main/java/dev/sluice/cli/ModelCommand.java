package dev.sluice.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;

/** A command on one model ({@code --model}): it finds the model's folder (pulling a hub id first), then works on it. */
abstract class ModelCommand extends PrintingCommand {
  @Mixin ModelOption model;

  @Override
  final int run(PrintWriter out) throws Exception {
    return run(model.resolve(hubLines(out)), out);
  }

  /** Where the hub's lines go while the model is pulled: the command's output unless the command says otherwise. */
  Consumer<String> hubLines(PrintWriter out) {
    return LinePrinter.to(out);
  }

  /** The command's work on the model in {@code modelDir}; returns the exit code. */
  abstract int run(Path modelDir, PrintWriter out) throws Exception;
}
