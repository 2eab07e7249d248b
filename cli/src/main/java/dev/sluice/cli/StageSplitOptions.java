package dev.sluice.cli;

import dev.sluice.model.LayerRange;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How bench pipeline splits the model: S stages (or the layer ranges of each, which set S) over Kafka,
 * against T PyTorch threads in process.
 */
final class StageSplitOptions {
  @Option(names = "--stages", defaultValue = "2", description = "Pipeline stages S (one PyTorch thread each).")
  int stages;

  @Option(names = "--split", split = ",", description = "Layer ranges of the stages, e.g. 0-7,8-11 (default: "
      + "equal step time, a layer's and the head's decode step measured on this machine; sets --stages).")
  List<String> split;

  @Option(names = "--threads", description = "PyTorch threads of the in-process side T (default: = --stages).")
  Integer threads;

  /** The layer ranges given with --split, else null (the benchmark measures and balances them). */
  List<LayerRange> ranges() {
    return split == null ? null : split.stream().map(LayerRange::parse).toList();
  }

  /** S: the --split ranges' count, else --stages. */
  int stageCount() {
    return split == null ? stages : split.size();
  }

  /** T: --threads, else S. */
  int inProcessThreads() {
    return threads == null ? stageCount() : threads;
  }
}
