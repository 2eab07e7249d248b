package dev.sluice.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code sluice} role as a child JVM of the test (its classpath and JVM flags, a smaller heap), so
 * that a test can kill it with SIGKILL (kill -9) as a crash would. Its output (stdout and stderr) is
 * appended to a log file; {@link #output()} is what this start wrote.
 */
abstract class ChildJvm implements AutoCloseable {
  final Path log;
  private final long logOffset;
  protected final Process process;

  /** Starts {@code sluice ARGS} with {@code heap} as -Xmx. */
  ChildJvm(Path log, String heap, List<String> sluiceArgs) throws IOException {
    this.log = log;
    this.logOffset = Files.exists(log) ? Files.size(log) : 0;
    this.process = start(log, heap, sluiceArgs);
  }

  /** kill -9: no drain, no commit, no leaving the group, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What this start printed so far. */
  String output() throws IOException {
    if (!Files.exists(log)) return "";
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) logOffset, all.length - (int) logOffset, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }

  private static Process start(Path log, String heap, List<String> sluiceArgs) throws IOException {
    Files.createDirectories(log.getParent());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Xmx") && !a.startsWith("-javaagent") && !a.startsWith("-agentlib")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx" + heap);
    // timestamps in the child's log, to read a failover's timeline
    cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    cmd.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Sluice.class.getName());
    cmd.addAll(sluiceArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return pb.start();
  }
}
