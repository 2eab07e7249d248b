package dev.sluice.bench.replay;

/**
 * How a Mooncake trace is shrunk to fit a small CPU model; printed next to every replay result.
 *
 * @param requests how many requests from the start of the trace are replayed
 * @param blockTokens synthetic tokens per hash id (Mooncake's blocks are 512 tokens)
 * @param maxBlocks at most this many leading hash ids of each prompt are kept
 * @param maxTokens cap on each request's output tokens
 * @param timeScale arrival times are multiplied by this (0.05 = 20x faster than the trace)
 * @param vocabSize the model's vocabulary; synthetic token ids lie in [3, vocabSize)
 * @param bosTokenId the token that opens every prompt
 */
public record ReplayScale(int requests, int blockTokens, int maxBlocks, int maxTokens, double timeScale, int vocabSize,
    int bosTokenId) {

  /** Ids 0..2 are unk/BOS/EOS in llama2.c tokenizers; synthetic blocks never use them. */
  public static final int FIRST_TOKEN_ID = 3;

  public ReplayScale {
    require(requests >= 1, "--requests must be >= 1: " + requests);
    require(blockTokens >= 1, "--block-tokens must be >= 1: " + blockTokens);
    require(maxBlocks >= 1, "--max-blocks must be >= 1: " + maxBlocks);
    require(maxTokens >= 1, "--max-tokens must be >= 1: " + maxTokens);
    require(timeScale > 0, "--time-scale must be above 0: " + timeScale);
    require(vocabSize > FIRST_TOKEN_ID, "vocabulary too small for synthetic tokens: " + vocabSize);
  }

  /** The longest sequence a scaled request can reach: BOS, the kept blocks, the output. */
  public int maxSequenceTokens() {
    return 1 + maxBlocks * blockTokens + maxTokens;
  }

  /** One line saying how the trace was scaled. */
  public String describe() {
    return String.format("scale: first %d requests; each 512-token hash block -> %d synthetic tokens; "
            + "at most %d blocks per prompt; output <= %d tokens; arrivals x%s (%.0fx faster)",
        requests, blockTokens, maxBlocks, maxTokens, timeScale, 1 / timeScale);
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
