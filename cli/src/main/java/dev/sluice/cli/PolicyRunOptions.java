package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The routing policies a bench command compares, each on a fresh pipeline: which, in order, the
 * unmeasured warm-up requests before each, and the longest wait for one policy's completions. A
 * command sets its own defaults by creating the mixin itself.
 */
final class PolicyRunOptions {
  @Option(names = "--policies", converter = PolicyName.class, split = ",", showDefaultValue = Visibility.NEVER,
      description = "Routing policies to compare, in order (default: ${DEFAULT-VALUE}).")
  List<String> policies;

  @Option(names = "--warmup", showDefaultValue = Visibility.NEVER,
      description = "Unmeasured requests (no prefix shared with the measured ones) run on each fresh pipeline first, so "
          + "the first policy does not pay the JVM's warm-up (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--timeout-s", showDefaultValue = Visibility.NEVER,
      description = "Longest wait for the completions of one policy's run (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  PolicyRunOptions(List<String> policies, int warmup, int timeoutSeconds) {
    this.policies = new ArrayList<>(policies);
    this.warmup = warmup;
    this.timeoutSeconds = timeoutSeconds;
  }
}
