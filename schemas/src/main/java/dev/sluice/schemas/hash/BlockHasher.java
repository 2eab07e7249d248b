package dev.sluice.schemas.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Chained 128-bit block hashes of a token sequence (the idea of vLLM's automatic prefix caching).
 *
 * <p>Definition, so that any process or language computes the same bytes:
 *
 * <pre>
 *   root     = SHA-256( UTF-8("sluice-block-hash-v1") || 0x00 || UTF-8(modelId) || 0x00 || UTF-8(cacheSalt or "") )[0..16)
 *   block[i] = SHA-256( block[i-1] (root for i = 0) || token ids of block i as int32 little-endian )[0..16)
 * </pre>
 *
 * Only full blocks of {@code blockSize} tokens get a hash: block i covers positions
 * [i*blockSize, (i+1)*blockSize). Two prompts share block i's hash exactly when they share the
 * model, the salt and all tokens up to the end of block i.
 */
public final class BlockHasher {
  public static final int HASH_BYTES = 16;
  private static final byte[] DOMAIN = "sluice-block-hash-v1".getBytes(StandardCharsets.UTF_8);

  private final int blockSize;
  private final byte[] root;

  public BlockHasher(String modelId, String cacheSalt, int blockSize) {
    if (blockSize <= 0) throw new IllegalArgumentException("block size must be > 0: " + blockSize);
    this.blockSize = blockSize;
    MessageDigest sha = sha256();
    sha.update(DOMAIN);
    sha.update((byte) 0);
    sha.update(modelId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update((cacheSalt == null ? "" : cacheSalt).getBytes(StandardCharsets.UTF_8));
    this.root = truncate(sha.digest());
  }

  public int blockSize() {
    return blockSize;
  }

  /** Hashes of every full block of {@code tokens}, in order. */
  public List<byte[]> hashes(int[] tokens) {
    int blocks = tokens.length / blockSize;
    List<byte[]> out = new ArrayList<>(blocks);
    byte[] parent = root;
    ByteBuffer buf = ByteBuffer.allocate(blockSize * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    MessageDigest sha = sha256();
    for (int b = 0; b < blocks; b++) {
      buf.clear();
      for (int i = 0; i < blockSize; i++) buf.putInt(tokens[b * blockSize + i]);
      sha.reset();
      sha.update(parent);
      sha.update(buf.array());
      parent = truncate(sha.digest());
      out.add(parent);
    }
    return out;
  }

  public static String hex(byte[] hash) {
    return HexFormat.of().formatHex(hash);
  }

  /** The first 8 bytes of a hash as a long (big-endian), for lane arithmetic and compact indexes. */
  public static long prefix64(byte[] hash) {
    return ByteBuffer.wrap(hash, 0, 8).order(ByteOrder.BIG_ENDIAN).getLong();
  }

  private static byte[] truncate(byte[] digest) {
    byte[] out = new byte[HASH_BYTES];
    System.arraycopy(digest, 0, out, 0, HASH_BYTES);
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
