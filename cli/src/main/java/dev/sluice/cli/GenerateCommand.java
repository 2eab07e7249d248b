package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Generate text in process (the reference for the pipeline). */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text in process (the reference for the pipeline).")
public final class GenerateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("generate");
  }
}
