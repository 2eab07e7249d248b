package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Run the OpenAI-compatible HTTP ingress. */
@Command(name = "ingress", mixinStandardHelpOptions = true, description = "Run the OpenAI-compatible HTTP ingress.")
public final class IngressCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("ingress");
  }
}
