package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Create, describe or verify Sluice's topics. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create, describe or verify Sluice's topics.")
public final class TopicsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("topics");
  }
}
