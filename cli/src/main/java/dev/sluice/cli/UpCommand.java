package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Start the embedded broker, topics, router, workers and ingress on this machine. */
@Command(name = "up", mixinStandardHelpOptions = true, description = "Start the embedded broker, topics, router, workers and ingress on this machine.")
public final class UpCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("up");
  }
}
