package dev.sluice.model.plan;

import dev.sluice.model.ComputeThreads;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What one decode step of a batch costs on this machine in one transformer layer and in the LM head
 * (final norm included), measured with one PyTorch thread as the calling thread's CPU time (so other
 * load on a shared machine inflates it little). Multiply-adds alone mis-weigh the two: measured on
 * GPT-2-small at batch 8, a layer costs about 7 ms and the 38.6M-MAC head about 25 ms, 3.5 layers where
 * its multiply-adds say 5.5 — the head is one large, efficient matrix product, a layer a dozen small
 * kernels around four.
 *
 * @param layerMs one layer (a middle one: no embedding, no head)
 * @param headMs the final norm and LM head
 */
public record StepCosts(double layerMs, double headMs) {
  private static final int WARMUP_STEPS = 3;
  private static final int MEASURED_STEPS = 7;

  /**
   * Loads the last two layers of {@code modelDir} (one alone, then with the head), gives {@code batch}
   * sequences {@code contextTokens} positions of KV, and times decode steps; the fastest of each (other
   * work on the machine only adds time, through the memory bus and caches, even to a thread's CPU clock).
   * A one-layer model has no middle layer: the multiply-add ratio is used for it instead.
   */
  public static StepCosts measure(Path modelDir, int batch, int contextTokens) {
    ModelConfig cfg = ModelConfig.read(modelDir);
    int n = cfg.numLayers();
    int threads = ComputeThreads.current();
    ComputeThreads.use(1);
    try {
      if (n < 2) {
        double stepMs = fastest(modelDir, new LayerRange(0, 1), batch, contextTokens);
        double head = StagePlanner.headCost(cfg);
        double layer = StagePlanner.layerCost(cfg);
        return new StepCosts(stepMs * layer / (layer + head), stepMs * head / (layer + head));
      }
      double layer = fastest(modelDir, new LayerRange(n - 2, n - 1), batch, contextTokens);
      double layerAndHead = fastest(modelDir, new LayerRange(n - 1, n), batch, contextTokens);
      return new StepCosts(layer, Math.max(0, layerAndHead - layer));
    } finally {
      ComputeThreads.use(threads);
    }
  }

  private static double fastest(Path modelDir, LayerRange layers, int batch, int contextTokens) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Random random = new Random(1);
    try (StageModel stage = StageModel.load(modelDir, layers)) {
      int hidden = stage.config().hiddenSize();
      List<SequenceKv> sequences = new ArrayList<>();
      try {
        List<StepInput> prefill = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          SequenceKv kv = stage.newSequence(contextTokens + WARMUP_STEPS + MEASURED_STEPS + 1);
          sequences.add(kv);
          prefill.add(input(stage, kv, contextTokens, hidden, random));
        }
        stage.forward(prefill);
        double[] ms = new double[MEASURED_STEPS];
        for (int step = 0; step < WARMUP_STEPS + MEASURED_STEPS; step++) {
          List<StepInput> decode = new ArrayList<>();
          for (SequenceKv kv : sequences) {
            decode.add(input(stage, kv, 1, hidden, random));
          }
          long start = cpu.getCurrentThreadCpuTime();
          stage.forward(decode);
          if (step >= WARMUP_STEPS) {
            ms[step - WARMUP_STEPS] = (cpu.getCurrentThreadCpuTime() - start) / 1e6;
          }
        }
        Arrays.sort(ms);
        return ms[0]; // the fastest: other work on a shared machine only ever adds to a step
      } finally {
        sequences.forEach(SequenceKv::close);
      }
    }
  }

  /** {@code tokens} positions of input: token ids at the first stage, random activations [tokens × hidden] elsewhere. */
  private static StepInput input(StageModel stage, SequenceKv kv, int tokens, int hidden, Random random) {
    if (stage.isFirst()) {
      int[] ids = new int[tokens];
      for (int i = 0; i < tokens; i++) ids[i] = random.nextInt(stage.config().vocabSize());
      return StepInput.ofTokens(kv, ids);
    }
    float[] h = new float[tokens * hidden];
    for (int i = 0; i < h.length; i++) h[i] = (float) random.nextGaussian();
    return StepInput.ofHidden(kv, h);
  }
}
