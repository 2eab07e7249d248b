package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Benchmarks: trace replay, load, policy comparison. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: trace replay, load, policy comparison.")
public final class BenchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("bench");
  }
}
