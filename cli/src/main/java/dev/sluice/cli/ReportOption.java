package dev.sluice.cli;

import java.nio.file.Path;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** {@code --report}: the HTML report a bench command writes; the command names its default file. */
final class ReportOption {
  @Option(names = "--report", showDefaultValue = Visibility.NEVER, description = "HTML report (default: ${DEFAULT-VALUE}).")
  Path report;

  ReportOption(String defaultFile) {
    this.report = Path.of(defaultFile);
  }
}
