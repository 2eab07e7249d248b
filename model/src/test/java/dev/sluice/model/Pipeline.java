package dev.sluice.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: stages of one model chained in process, each with one sequence's KV. */
final class Pipeline implements AutoCloseable {
  final List<StageModel> stages = new ArrayList<>();

  Pipeline(Path modelDir, List<LayerRange> ranges) {
    for (LayerRange r : ranges) {
      stages.add(StageModel.load(modelDir, r));
    }
  }

  /** Every split of {@code layers} layers into contiguous ranges (all 2^(layers-1) compositions). */
  static List<List<LayerRange>> allSplits(int layers) {
    return dev.sluice.model.verify.GoldenCheck.allSplits(layers);
  }

  List<SequenceKv> newSequence(int capacity) {
    List<SequenceKv> kvs = new ArrayList<>();
    for (StageModel s : stages) {
      kvs.add(s.newSequence(capacity));
    }
    return kvs;
  }

  /** Runs tokens through every stage; returns the logits of every position [n × vocab]. */
  float[] run(List<SequenceKv> kvs, int[] tokens) {
    StepOutput out = stages.get(0).forward(List.of(StepInput.ofTokens(kvs.get(0), tokens)), true).get(0);
    for (int i = 1; i < stages.size(); i++) {
      out = stages.get(i).forward(List.of(StepInput.ofHidden(kvs.get(i), out.hidden())), true).get(0);
    }
    return out.allLogits();
  }

  @Override
  public void close() {
    stages.forEach(StageModel::close);
  }
}
