package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The routing policies a bench command compares, each on a fresh pipeline: which, in order, the
 * JVM's warm-up before the first, the unmeasured warm-up requests before each, and the longest wait for one policy's completions. A
 * command sets its own defaults by creating the mixin itself.
 */
final class PolicyRunOptions {
  @Option(names = "--policies", converter = PolicyName.class, split = ",", showDefaultValue = Visibility.NEVER,
      description = "Routing policies to compare, in order (default: ${DEFAULT-VALUE}).")
  List<String> policies;

  @Option(names = "--warmup", showDefaultValue = Visibility.NEVER,
      description = "Unmeasured requests (no prefix shared with the measured ones) run on each fresh pipeline first, so "
          + "its own first steps are not measured (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--jvm-warmup-rounds", defaultValue = "12", description = "Most unmeasured rounds on a throwaway"
      + " pipeline before the first policy: they end once the JVM's JIT compiler takes under 3%% of the cores over a"
      + " round, so the first policy does not run with a busy compiler; 0 = none (default: ${DEFAULT-VALUE}).")
  int jvmWarmupRounds;

  @Option(names = "--timeout-s", showDefaultValue = Visibility.NEVER,
      description = "Longest wait for the completions of one policy's run (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  PolicyRunOptions(List<String> policies, int warmup, int timeoutSeconds) {
    this.policies = new ArrayList<>(policies);
    this.warmup = warmup;
    this.timeoutSeconds = timeoutSeconds;
  }
}
