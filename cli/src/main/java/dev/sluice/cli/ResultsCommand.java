package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Tail or export completions from the results topic. */
@Command(name = "results", mixinStandardHelpOptions = true, description = "Tail or export completions from the results topic.")
public final class ResultsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("results");
  }
}
