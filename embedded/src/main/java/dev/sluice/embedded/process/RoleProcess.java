package dev.sluice.embedded.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code sluice} role ({@code broker}, {@code router}, {@code worker}, {@code ingress}) as a child JVM:
 * this JVM's java binary, classpath and flags with a smaller heap, started by the CLI's main-class name (the
 * modules that start roles, bench and the end-to-end tests, do not depend on the cli's main code). Its output
 * (stdout and stderr) is appended to a log file; {@link #output()} is what this start wrote, so a role restarted
 * on the same log is read from its own start. {@link #kill()} is kill -9, as a crash would end it.
 */
public final class RoleProcess implements AutoCloseable {
  /** The {@code sluice} command's main class, on this JVM's classpath wherever roles are started. */
  public static final String MAIN_CLASS = "dev.sluice.cli.Sluice";
  /** The line an ingress prints once it listens (IngressCommand). */
  private static final Pattern INGRESS_LISTENING = Pattern.compile("Sluice ingress on http://127\\.0\\.0\\.1:(\\d+)");
  private static final long POLL_MS = 100;
  private static final int TAIL_LINES = 15;

  private final String name;
  private final Path log;
  private final long startedAtMs;
  private final long logOffset;
  private final Process process;

  private RoleProcess(String name, Path log, long logOffset, Process process, long startedAtMs) {
    this.name = name;
    this.log = log;
    this.logOffset = logOffset;
    this.process = process;
    this.startedAtMs = startedAtMs;
  }

  /**
   * Starts {@code sluice ARGS} with a heap of {@code heap} (e.g. 512m), its output appended to {@code log};
   * {@code name} (e.g. "worker s0-a") names it in messages.
   */
  public static RoleProcess start(String name, Path log, String heap, List<String> sluiceArgs) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      long offset = Files.exists(log) ? Files.size(log) : 0;
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (!a.startsWith("-Xmx") && !a.startsWith("-javaagent") && !a.startsWith("-agentlib")) cmd.add(a);
      }
      cmd.add("-Xmx" + heap);
      // timestamps in the role's log, to read a failover's timeline
      cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
      cmd.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(MAIN_CLASS);
      cmd.addAll(sluiceArgs);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
      long now = System.currentTimeMillis();
      return new RoleProcess(name, log, offset, pb.start(), now);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  public String name() {
    return name;
  }

  /** The log file its output is appended to. */
  public Path log() {
    return log;
  }

  /** When this start was launched (epoch ms). */
  public long startedAtMs() {
    return startedAtMs;
  }

  /** kill -9: no drain, no commit, no leaving a group, no flush. */
  public void kill() {
    process.destroyForcibly(); // SIGKILL on Linux
    waitFor(30);
  }

  /**
   * SIGTERM: the role's shutdown hook runs (a worker drains, commits and leaves its group); returns its exit code
   * (0, or 143 = 128 + SIGTERM), or throws when it did not exit within {@code timeoutSeconds}.
   */
  public int terminate(int timeoutSeconds) {
    process.destroy(); // SIGTERM
    if (!waitFor(timeoutSeconds)) {
      throw new IllegalStateException(name + " did not exit within " + timeoutSeconds + " s of SIGTERM; its log: " + log);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What this start of the role printed so far. */
  public String output() {
    try {
      if (!Files.exists(log)) return "";
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(logOffset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The HTTP port this role printed as an ingress ("Sluice ingress on http://127.0.0.1:PORT"), or -1 before it did. */
  public int ingressPort() {
    Matcher m = INGRESS_LISTENING.matcher(output());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Waits until this ingress printed its port and returns it; throws as {@link #awaitUntil} does. */
  public int awaitIngressPort(Duration timeout) {
    if (!awaitUntil(() -> ingressPort() > 0, timeout)) {
      throw new IllegalStateException(name + " printed no port within " + timeout.toSeconds() + " s; " + logTail());
    }
    return ingressPort();
  }

  /**
   * Polls {@code ready} until it holds (true) or {@code timeout} passes (false), waiting on this role's exit
   * between polls; throws at once, with the end of its log, when the role exits first.
   */
  public boolean awaitUntil(BooleanSupplier ready, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited; " + logTail());
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        process.waitFor(POLL_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
    return true;
  }

  /** The end of this start's output (DEBUG lines left out), naming the log file, for an error message. */
  public String logTail() {
    List<String> lines = output().lines().filter(l -> !l.contains(" DEBUG ")).toList();
    return "the end of its log " + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  private boolean waitFor(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Kills it (kill -9) if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) kill();
  }
}
