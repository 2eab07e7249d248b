package dev.sluice.bench.pipeline;

import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import java.util.List;
import java.util.Locale;

/**
 * Where a single request's time per token goes, read off the stamps of its looped-back DECODE
 * records: at each stage the wait between read and step start and the step itself (compute, cache,
 * sampling, building the records), and each Kafka hop, the loop-back included. Means per token, so
 * that the parts add up to the per-token latency.
 */
record TokenPath(double[] waitMs, double[] stepMs, double[] hopMs, int tokens) {

  /**
   * From one request's loop-back records in position order ({@link LoopBacks#byRequest}), each holding
   * one stamp per stage of its step. The first (the prompt's step, before the first token) is left
   * out: the tokens after the first are what the per-token latency counts, each one loop-back and then
   * a step at every stage.
   */
  static TokenPath of(List<StageWork> steps, int stages) {
    double[] wait = new double[stages];
    double[] step = new double[stages];
    double[] hop = new double[stages];
    for (int i = 1; i < steps.size(); i++) {
      List<StageStamp> s = steps.get(i).getStamps();
      hop[stages - 1] += s.get(0).getReceivedAtMs() - steps.get(i - 1).getStamps().get(stages - 1).getSentAtMs();
      for (int k = 0; k < stages; k++) {
        wait[k] += s.get(k).getStartedAtMs() - s.get(k).getReceivedAtMs();
        step[k] += s.get(k).getSentAtMs() - s.get(k).getStartedAtMs();
        if (k + 1 < stages) {
          hop[k] += s.get(k + 1).getReceivedAtMs() - s.get(k).getSentAtMs();
        }
      }
    }
    int tokens = Math.max(0, steps.size() - 1);
    for (int k = 0; k < stages; k++) {
      wait[k] /= Math.max(1, tokens);
      step[k] /= Math.max(1, tokens);
      hop[k] /= Math.max(1, tokens);
    }
    return new TokenPath(wait, step, hop, tokens);
  }

  /** One line: "loop-back 1.4, stage 0 wait 0.1 + step 14.2, hop 1.3, stage 1 wait ... ms". */
  String describe() {
    int stages = stepMs.length;
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "loop-back %.1f", hopMs[stages - 1]));
    for (int k = 0; k < stages; k++) {
      b.append(String.format(Locale.ROOT, ", stage %d wait %.1f + step %.1f", k, waitMs[k], stepMs[k]));
      if (k + 1 < stages) {
        b.append(String.format(Locale.ROOT, ", hop %.1f", hopMs[k]));
      }
    }
    return b.append(" ms (means over ").append(tokens).append(" tokens)").toString();
  }
}
