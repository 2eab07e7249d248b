package dev.sluice.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice worker} as a child JVM of the test, so a test can kill it with SIGKILL (kill -9) or
 * stop it with SIGTERM as an operator would. Its output goes to a log file beside its data.
 */
final class ChildWorker implements AutoCloseable {
  final String workerId;
  final Path log;
  private final Process process;

  private ChildWorker(String workerId, Path log, Process process) {
    this.workerId = workerId;
    this.log = log;
    this.process = process;
  }

  /** Starts {@code sluice worker ARGS} with the test JVM's classpath and JVM flags (smaller heap). */
  static ChildWorker start(String workerId, Path dir, String... args) throws IOException {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Xmx") && !a.startsWith("-javaagent") && !a.startsWith("-agentlib")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Sluice.class.getName());
    cmd.add("worker");
    cmd.add("--worker-id");
    cmd.add(workerId);
    cmd.add("--data-dir");
    cmd.add(dir.resolve("data").toString());
    cmd.addAll(List.of(args));
    Path log = dir.resolve(workerId + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return new ChildWorker(workerId, log, pb.start());
  }

  /** kill -9: no drain, no commit, no tombstone, no leaving the group. */
  void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the worker drains (finishes its step, commits, leaves the group) and exits. */
  int terminate() throws InterruptedException {
    process.destroy(); // SIGTERM
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker " + workerId + " did not exit within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
