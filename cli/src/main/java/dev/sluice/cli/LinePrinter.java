package dev.sluice.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;

/** Progress lines of a long step (a hub download, a pipeline starting) printed to a command's output, each flushed at once. */
final class LinePrinter {
  private LinePrinter() {}

  static Consumer<String> to(PrintWriter out) {
    return to(out, "");
  }

  /** Each line after {@code indent}. */
  static Consumer<String> to(PrintWriter out, String indent) {
    return line -> {
      out.println(indent + line);
      out.flush();
    };
  }
}
