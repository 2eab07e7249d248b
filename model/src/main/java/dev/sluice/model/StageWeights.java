package dev.sluice.model;

import ai.djl.ndarray.NDArray;

/** The tensors of one stage of one architecture, and the three things a stage does with them. */
interface StageWeights {

  /** Token (and, for GPT-2, position) embedding: [T, hidden]. First stage only. */
  NDArray embed(Step step, int[] tokenIds);

  /** Builds per-step tables (e.g. RoPE cos/sin) before the first block, in the step's scope. */
  default void prepare(Step step) {}

  /** One transformer block: x [T, hidden] -> [T, hidden], appending K/V to each segment's sequence. */
  NDArray block(Step step, int layer, NDArray x);

  /** Final norm and LM head: x [R, hidden] -> logits [R, vocab]. Last stage only. */
  NDArray head(NDArray x);
}
