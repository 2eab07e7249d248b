package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sluice router} as a child JVM of the test, so that a test can kill it with SIGKILL (kill -9)
 * and start a replacement on the same data directory, as an operator or a supervisor would. Each
 * start appends to one log file; {@link #output()} is what this start wrote.
 */
final class ChildRouter extends ChildJvm {
  private ChildRouter(Path log, List<String> sluiceArgs) throws IOException {
    super(log, "384m", sluiceArgs);
  }

  /** Starts {@code sluice router --data-dir DIR/data ARGS}. */
  static ChildRouter start(Path dir, String... args) throws IOException {
    Path log = dir.resolve("router.log");
    List<String> sluiceArgs = new ArrayList<>(List.of("router", "--data-dir", dir.resolve("data").toString()));
    sluiceArgs.addAll(List.of(args));
    return new ChildRouter(log, sluiceArgs);
  }
}
