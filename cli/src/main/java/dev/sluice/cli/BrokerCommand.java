package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Run a single-node KRaft Kafka broker in this process. */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run a single-node KRaft Kafka broker in this process.")
public final class BrokerCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("broker");
  }
}
