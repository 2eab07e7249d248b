package dev.sluice.model;

/** The model families Sluice can run. */
public enum Architecture {
  /** Llama: RMSNorm, RoPE, grouped-query attention, SiLU-gated MLP. */
  LLAMA,
  /** GPT-2: LayerNorm, learned positions, tanh-GELU MLP, Conv1D weights stored [in, out]. */
  GPT2
}
