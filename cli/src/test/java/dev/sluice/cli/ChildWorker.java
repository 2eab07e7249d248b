package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice worker} as a child JVM of the test, so a test can kill it with SIGKILL (kill -9) or
 * stop it with SIGTERM as an operator would. Its output goes to a log file beside its data.
 */
final class ChildWorker extends ChildJvm {
  final String workerId;

  private ChildWorker(String workerId, Path log, List<String> sluiceArgs) throws IOException {
    super(log, "512m", sluiceArgs);
    this.workerId = workerId;
  }

  /** Starts {@code sluice worker ARGS} with the test JVM's classpath and JVM flags (smaller heap). */
  static ChildWorker start(String workerId, Path dir, String... args) throws IOException {
    Path log = dir.resolve(workerId + ".log");
    Files.deleteIfExists(log); // a fresh log per start
    List<String> sluiceArgs = new ArrayList<>(List.of("worker", "--worker-id", workerId, "--data-dir", dir.resolve("data").toString()));
    sluiceArgs.addAll(List.of(args));
    return new ChildWorker(workerId, log, sluiceArgs);
  }

  /** SIGTERM: the worker drains (finishes its step, commits, leaves the group) and exits. */
  int terminate() throws InterruptedException {
    process.destroy(); // SIGTERM
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker " + workerId + " did not exit within 60 s of SIGTERM");
    }
    return process.exitValue();
  }
}
