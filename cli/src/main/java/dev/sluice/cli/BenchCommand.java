package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice bench}: routing policy comparison, model throughput and pipeline throughput. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks: routing policies on a trace, model throughput, pipeline throughput, trace replay, soak, bad input, faults.",
    subcommands = {BenchPoliciesCommand.class, BenchModelCommand.class, BenchPipelineCommand.class,
        BenchReplayCommand.class, BenchSoakCommand.class, BenchBadInputCommand.class, BenchChaosCommand.class, BenchPrefixCommand.class,
        BenchDecisionsCommand.class})
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
