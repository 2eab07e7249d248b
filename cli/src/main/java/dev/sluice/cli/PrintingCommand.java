package dev.sluice.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that prints what it does to its command line's output writer (a test passes its own),
 * flushed when the command ends, however it ends.
 */
abstract class PrintingCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try {
      return run(out);
    } finally {
      out.flush();
    }
  }

  /** The command's work, printed to {@code out}; returns the exit code. */
  abstract int run(PrintWriter out) throws Exception;

  /** A usage error: picocli prints the message and the command's usage and exits 2. */
  ParameterException badUsage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
