package dev.sluice.cli;


import dev.sluice.testing.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs {@code sluice} subcommands in process, capturing what they print; finds the shared data they read. */
abstract class CommandTestSupport {
  protected final StringWriter out = new StringWriter();
  protected final StringWriter err = new StringWriter();

  /** Runs {@code sluice ARGS...} with the real exception handler and returns its exit code. */
  protected int sluice(String... args) {
    return commandLine().execute(args);
  }

  /** The {@code sluice} command line (real exception handler), printing to {@link #out} and {@link #err}. */
  protected CommandLine commandLine() {
    CommandLine cmd = Sluice.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd;
  }

  /** The public Mooncake synthetic trace in the shared test data. */
  static final String MOONCAKE_TRACE = "traces/mooncake_synthetic_trace.jsonl";

  /**
   * {@code relative} in the shared read-only data (-Dsluice.shared.dir, else ../shared), or the test is
   * skipped when it is not there.
   */
  static Path shared(String relative) {
    return SharedData.path(relative);
  }
}
