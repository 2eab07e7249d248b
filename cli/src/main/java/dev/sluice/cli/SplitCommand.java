package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Split a checkpoint into per-stage safetensors files with a manifest. */
@Command(name = "split", mixinStandardHelpOptions = true, description = "Split a checkpoint into per-stage safetensors files with a manifest.")
public final class SplitCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("split");
  }
}
