package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice router} as a child JVM of the test, so that a test can kill it with SIGKILL (kill -9)
 * and start a replacement on the same data directory, as an operator or a supervisor would. Each
 * start appends to one log file; {@link #output()} is what this start wrote.
 */
final class ChildRouter implements AutoCloseable {
  final Path log;
  private final long logOffset;
  private final Process process;

  private ChildRouter(Path log, long logOffset, Process process) {
    this.log = log;
    this.logOffset = logOffset;
    this.process = process;
  }

  /** Starts {@code sluice router --data-dir DIR/data ARGS}. */
  static ChildRouter start(Path dir, String... args) throws IOException {
    Path log = dir.resolve("router.log");
    long offset = Files.exists(log) ? Files.size(log) : 0;
    List<String> sluiceArgs = new ArrayList<>(List.of("router", "--data-dir", dir.resolve("data").toString()));
    sluiceArgs.addAll(List.of(args));
    return new ChildRouter(log, offset, ChildJvm.start(log, "384m", sluiceArgs));
  }

  /** kill -9: no commit, no leaving the group, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What this start of the router printed so far. */
  String output() throws IOException {
    if (!Files.exists(log)) return "";
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) logOffset, all.length - (int) logOffset, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
