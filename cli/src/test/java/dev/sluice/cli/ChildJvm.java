package dev.sluice.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a {@code sluice} role as a child JVM of the test: its classpath and JVM flags, a smaller heap. */
final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code sluice ARGS}, its output (stdout and stderr) going to {@code log}. */
  static Process start(Path log, String heap, List<String> sluiceArgs) throws IOException {
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
