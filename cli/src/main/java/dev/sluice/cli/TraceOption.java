package dev.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --trace} of the commands that replay a Mooncake-format trace; without it, the shared synthetic trace. */
final class TraceOption {
  static final String SHARED_TRACE = "traces/mooncake_synthetic_trace.jsonl";

  @Option(names = "--trace", paramLabel = "FILE", description = "Mooncake-format JSONL trace (default: the public Mooncake "
      + "synthetic trace, " + SHARED_TRACE + " of the test-data directory, when it is there).")
  Path trace;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** --trace, else the shared Mooncake trace next to the repository. */
  Path file() {
    if (trace != null) {
      if (!Files.isRegularFile(trace)) throw new ParameterException(command.commandLine(), "--trace: no such file: " + trace);
      return trace;
    }
    for (String dir : new String[] {System.getProperty("sluice.shared.dir"), "../shared", "../../shared"}) {
      if (dir != null && Files.isRegularFile(Path.of(dir, SHARED_TRACE))) return Path.of(dir, SHARED_TRACE);
    }
    throw new ParameterException(command.commandLine(), "no trace given, and no test-data directory holds " + SHARED_TRACE
        + ": pass --trace FILE");
  }
}
