package dev.sluice.model;

/**
 * What a stage produced for one input of a step.
 *
 * @param tokens number of positions this output covers
 * @param hidden hidden states [tokens × hiddenSize] for the next stage (null at the last stage)
 * @param logits logits of the last position [vocabSize] (null unless last stage)
 * @param allLogits logits of every position [tokens × vocabSize], only when asked for (else null)
 */
public record StepOutput(int tokens, float[] hidden, float[] logits, float[] allLogits) {

  /** Logits of position {@code i} of this step (needs allLogits). */
  public float[] logitsAt(int i) {
    if (allLogits == null) {
      throw new IllegalStateException("forward was not asked for every position's logits");
    }
    int vocab = allLogits.length / tokens;
    return java.util.Arrays.copyOfRange(allLogits, i * vocab, (i + 1) * vocab);
  }
}
