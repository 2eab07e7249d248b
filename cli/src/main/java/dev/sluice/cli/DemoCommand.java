package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Start everything embedded, send real requests, print completions, exit. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Start everything embedded, send real requests, print completions, exit.")
public final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("demo");
  }
}
