package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Serve the live dashboard. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, description = "Serve the live dashboard.")
public final class DashboardCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("dashboard");
  }
}
