package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** List the workers from their heartbeats. */
@Command(name = "workers", mixinStandardHelpOptions = true, description = "List the workers from their heartbeats.")
public final class WorkersCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("workers");
  }
}
