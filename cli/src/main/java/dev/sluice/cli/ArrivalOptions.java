package dev.sluice.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a bench's requests arrive: a closed loop at a concurrency, or, with {@code --rate}, an open loop at a rate. */
final class ArrivalOptions {
  @Option(names = "--concurrency", defaultValue = "4", description = "Closed loop: requests in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--rate", description = "Open loop instead: requests per second, evenly spaced.")
  Double rate;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** {@code closed loop at concurrency 4} or {@code open loop at 2.50 requests/s}, for a run's heading. */
  String describe() {
    return rate == null ? "closed loop at concurrency " + concurrency
        : String.format(Locale.ROOT, "open loop at %.2f requests/s", rate);
  }

  void validate() {
    if (concurrency < 1) throw new ParameterException(command.commandLine(), "--concurrency must be >= 1: " + concurrency);
    if (rate != null && !(rate > 0)) throw new ParameterException(command.commandLine(), "--rate must be > 0: " + rate);
  }
}
