package dev.sluice.router.policy;

import dev.sluice.schemas.hash.BlockHasher;
import dev.sluice.topics.Lanes;
import java.util.List;

/**
 * What a policy may look at: the prompt's size and block hashes.
 *
 * @param requestId the request id (for logs)
 * @param promptTokens number of prompt tokens (BOS included)
 * @param blockSize tokens per KV block
 * @param blockHashes 16-byte chained hashes of the prompt's full blocks, in order
 * @param familyHash the prefix family: the first block's hash, or for prompts shorter than one block
 *     the hash of all their tokens (see {@link #familyOf})
 */
public record RoutingRequest(String requestId, int promptTokens, int blockSize, List<byte[]> blockHashes, byte[] familyHash) {

  public RoutingRequest {
    blockHashes = List.copyOf(blockHashes);
    if (familyHash == null || familyHash.length != BlockHasher.HASH_BYTES) {
      throw new IllegalArgumentException("family hash must have " + BlockHasher.HASH_BYTES + " bytes");
    }
  }

  /** A request with the given prompt tokens, hashed like the router does. */
  public static RoutingRequest of(String requestId, int[] tokens, String modelId, String cacheSalt, int blockSize) {
    List<byte[]> hashes = new BlockHasher(modelId, cacheSalt, blockSize).hashes(tokens);
    return new RoutingRequest(requestId, tokens.length, blockSize, hashes, familyOf(tokens, hashes, modelId, cacheSalt));
  }

  /**
   * The first block's hash; a prompt shorter than one block is its own family, hashed over all its
   * tokens as one (short) block with the same model and salt seeding.
   */
  public static byte[] familyOf(int[] tokens, List<byte[]> blockHashes, String modelId, String cacheSalt) {
    if (!blockHashes.isEmpty()) return blockHashes.get(0);
    if (tokens.length == 0) throw new IllegalArgumentException("a prompt has at least one token");
    return new BlockHasher(modelId, cacheSalt, tokens.length).hashes(tokens).get(0);
  }

  /** Prompt tokens not covered by the first {@code blocks} cached blocks. */
  public int uncachedTokens(int blocks) {
    return promptTokens - blocks * blockSize;
  }

  /** The prefix family's home lane among {@code lanes}: the one lane function ({@link Lanes#laneOf}). */
  public int homeLane(int lanes) {
    return Lanes.laneOf(familyHash, lanes);
  }
}
