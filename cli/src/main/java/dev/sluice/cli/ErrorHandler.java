package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Maps the root cause of a failed command to one clear line and an exit code. */
final class ErrorHandler implements IExecutionExceptionHandler {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_UNAVAILABLE = 3;
  static final int EXIT_FAILED = 1;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    Throwable root = ex;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof ConfigException || root instanceof NotBuiltYetException) break;
      root = root.getCause();
    }
    var err = cmd.getErr();
    if (root instanceof ConfigException) {
      err.println("sluice: configuration error: " + root.getMessage());
      return EXIT_CONFIG;
    }
    if (root instanceof NotBuiltYetException) {
      err.println("sluice: " + root.getMessage());
      return EXIT_UNAVAILABLE;
    }
    if (root instanceof TimeoutException) {
      err.println("sluice: Kafka did not answer in time: " + root.getMessage()
          + " — is the broker running and are --bootstrap-servers right?");
      return EXIT_UNAVAILABLE;
    }
    err.println("sluice: " + root.getClass().getSimpleName() + ": " + root.getMessage());
    if (System.getenv("SLUICE_DEBUG") != null) {
      ex.printStackTrace(err);
    }
    return EXIT_FAILED;
  }
}
