package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code sluice ingress} as a child JVM of the test, so a test can kill it with SIGKILL (kill -9). */
final class ChildIngress extends ChildJvm {
  private static final Pattern LISTENING = Pattern.compile("Sluice ingress on http://127\\.0\\.0\\.1:(\\d+)");

  private ChildIngress(Path log, List<String> sluiceArgs) throws IOException {
    super(log, "256m", sluiceArgs);
  }

  /** Starts {@code sluice ingress --port 0 ARGS} with the test JVM's classpath and JVM flags (smaller heap). */
  static ChildIngress start(Path dir, String... args) throws IOException {
    Path log = dir.resolve("ingress.log");
    Files.deleteIfExists(log); // a fresh log per start
    List<String> sluiceArgs = new ArrayList<>(List.of("ingress", "--port", "0"));
    sluiceArgs.addAll(List.of(args));
    return new ChildIngress(log, sluiceArgs);
  }

  /** The HTTP port it printed, or -1 before it did. */
  int port() throws IOException {
    Matcher m = LISTENING.matcher(output());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }
}
