package dev.sluice.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code sluice ingress} as a child JVM of the test, so a test can kill it with SIGKILL (kill -9). */
final class ChildIngress implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Sluice ingress on http://127\\.0\\.0\\.1:(\\d+)");

  private final Path log;
  private final Process process;

  private ChildIngress(Path log, Process process) {
    this.log = log;
    this.process = process;
  }

  /** Starts {@code sluice ingress --port 0 ARGS} with the test JVM's classpath and JVM flags (smaller heap). */
  static ChildIngress start(Path dir, String... args) throws IOException {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Xmx") && !a.startsWith("-javaagent") && !a.startsWith("-agentlib")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Sluice.class.getName());
    cmd.add("ingress");
    cmd.add("--port");
    cmd.add("0");
    cmd.addAll(List.of(args));
    Path log = dir.resolve("ingress.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildIngress(log, p);
  }

  /** The HTTP port it printed, or -1 before it did. */
  int port() throws IOException {
    Matcher m = LISTENING.matcher(output());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** kill -9: no drain, no leaving the results group. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
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
