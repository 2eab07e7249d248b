package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Show a request's records at each stage. */
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Show a request's records at each stage.")
public final class TraceCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("trace");
  }
}
