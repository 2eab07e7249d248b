package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Run a stage worker for a range of layers. */
@Command(name = "worker", mixinStandardHelpOptions = true, description = "Run a stage worker for a range of layers.")
public final class WorkerCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("worker");
  }
}
