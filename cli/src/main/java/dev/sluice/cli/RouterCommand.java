package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Run the Kafka Streams router. */
@Command(name = "router", mixinStandardHelpOptions = true, description = "Run the Kafka Streams router.")
public final class RouterCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("router");
  }
}
