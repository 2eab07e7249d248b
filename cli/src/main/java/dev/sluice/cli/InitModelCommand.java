package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Write a seeded random checkpoint of any shape (for benchmarks). */
@Command(name = "init-model", mixinStandardHelpOptions = true, description = "Write a seeded random checkpoint of any shape (for benchmarks).")
public final class InitModelCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("init-model");
  }
}
