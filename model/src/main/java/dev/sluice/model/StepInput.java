package dev.sluice.model;

/**
 * The new tokens of one sequence for one forward step of a stage. The first stage takes token ids;
 * every other stage takes the previous stage's hidden states, row-major [tokens, hiddenSize].
 * The tokens land at positions [kv.length(), kv.length() + tokens) of the sequence.
 */
public record StepInput(SequenceKv kv, int[] tokenIds, float[] hidden) {

  public static StepInput ofTokens(SequenceKv kv, int... tokenIds) {
    return new StepInput(kv, tokenIds, null);
  }

  public static StepInput ofHidden(SequenceKv kv, float[] hidden) {
    return new StepInput(kv, null, hidden);
  }

  /** Number of new tokens this input carries. */
  public int tokens(int hiddenSize) {
    return tokenIds != null ? tokenIds.length : hidden.length / hiddenSize;
  }
}
