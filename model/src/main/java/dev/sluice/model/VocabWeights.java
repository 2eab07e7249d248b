package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * The two vocabulary-sized matrices of a stage: the token embedding (first stage) and the LM head
 * (last stage), possibly one tied tensor.
 *
 * <p>The head is held as a contiguous [hidden, vocab] copy of the checkpoint's [vocab, hidden]
 * tensor, not as its transposed view: PyTorch's CPU matMul of a few rows by the 50257-column GPT-2
 * head took 7.1 ms on the contiguous copy against 11.8 ms on the view at 1 row, 30 against 33 ms at 8
 * and 41 against 47 ms at 16 (median thread CPU time, one thread; the layers' square-ish matrices showed
 * no difference either way). A stage that embeds and has a tied head keeps only that copy and embeds
 * by gathering its columns, so tying still costs one matrix of memory.
 */
final class VocabWeights {
  private final NDArray embedding; // [vocab, hidden], or null when embedding reads headIn's columns
  private final NDArray headIn; // [hidden, vocab] contiguous; null unless last stage

  private VocabWeights(NDArray embedding, NDArray headIn) {
    this.embedding = embedding;
    this.headIn = headIn;
  }

  /**
   * @param embeddingName the [vocab, hidden] token embedding
   * @param headName the [vocab, hidden] LM head, or null when tied to the embedding
   */
  static VocabWeights load(WeightLoader w, ModelConfig cfg, String embeddingName, String headName, boolean first,
      boolean last) {
    long vocab = cfg.vocabSize();
    long hidden = cfg.hiddenSize();
    boolean tied = headName == null;
    if (!last) {
      return new VocabWeights(first ? w.load(embeddingName, vocab, hidden) : null, null);
    }
    NDArray headIn = contiguousTranspose(w.load(tied ? embeddingName : headName, vocab, hidden));
    NDArray embedding = first && !tied ? w.load(embeddingName, vocab, hidden) : null;
    return new VocabWeights(embedding, headIn);
  }

  /** [vocab, hidden] -> a contiguous [hidden, vocab] copy; frees the input. */
  private static NDArray contiguousTranspose(NDArray vocabByHidden) {
    try (vocabByHidden; NDArray view = vocabByHidden.transpose()) {
      return view.flatten().reshape(view.getShape()); // flatten copies the strided view contiguously
    }
  }

  /** Embeddings of {@code tokenIds}: [T, hidden]. */
  NDArray embed(NDManager manager, int[] tokenIds) {
    NDArray ids = manager.create(tokenIds);
    return embedding != null ? embedding.get(ids) // rows: [T, hidden]
        : headIn.get(new NDIndex(":, {}", ids)).transpose(); // columns [hidden, T], as [T, hidden]
  }

  /** Logits of the rows of {@code x} [R, hidden]: [R, vocab]. */
  NDArray head(NDArray x) {
    return x.matMul(headIn);
  }
}
