package dev.sluice.cli;

import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The in-process pipeline a bench command runs on: its stages, the workers in each stage's group and
 * the lanes. A command sets its own defaults by creating the mixin itself.
 */
final class PipelineShapeOptions {
  @Option(names = "--stages", showDefaultValue = Visibility.NEVER, description = "Pipeline stages (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = "--workers-per-stage", showDefaultValue = Visibility.NEVER,
      description = "Workers per stage (default: ${DEFAULT-VALUE}).")
  int workersPerStage;

  @Option(names = "--lanes", showDefaultValue = Visibility.NEVER,
      description = "Lanes: partitions of every stage topic (default: ${DEFAULT-VALUE}).")
  int lanes;

  PipelineShapeOptions() {
    this(2, 2, 8);
  }

  PipelineShapeOptions(int stages, int workersPerStage, int lanes) {
    this.stages = stages;
    this.workersPerStage = workersPerStage;
    this.lanes = lanes;
  }

  /** {@code 2 stages x 2 workers, 8 lanes}, for a run's heading. */
  String describe() {
    return stages + " stages x " + workersPerStage + " workers, " + lanes + " lanes";
  }
}
