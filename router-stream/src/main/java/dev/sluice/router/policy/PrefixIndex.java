package dev.sluice.router.policy;

import java.util.BitSet;

/**
 * Block hash → the lanes believed to hold that block's KV. Because block hashes are chained, a
 * lane that holds block i also holds blocks 0..i-1 of the same prompt, so the longest prefix a lane
 * holds is found by looking for the last block it holds.
 *
 * <p>The router backs it with a changelogged state store (so a restarted router resumes with it),
 * the bench with memory ({@link InMemoryPrefixIndex}).
 */
public interface PrefixIndex {

  /** Lanes holding this block; empty when unknown. The caller may modify the returned set. */
  BitSet lanesOf(byte[] blockHash);

  /** Records that {@code lane} holds this block (again: indexes may treat it as a use of the block). */
  void add(byte[] blockHash, int lane);

  /** Forgets that {@code lane} holds this block; a negative lane forgets every lane. */
  void remove(byte[] blockHash, int lane);
}
