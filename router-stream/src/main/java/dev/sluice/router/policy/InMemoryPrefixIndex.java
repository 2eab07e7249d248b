package dev.sluice.router.policy;

import dev.sluice.schemas.hash.BlockHasher;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link PrefixIndex} in memory that keeps the most recently used {@code capacity} blocks. */
public final class InMemoryPrefixIndex implements PrefixIndex {
  private final Map<String, BitSet> blocks;

  public InMemoryPrefixIndex(int capacity) {
    this.blocks = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, BitSet> eldest) {
        return size() > capacity;
      }
    };
  }

  @Override
  public BitSet lanesOf(byte[] blockHash) {
    BitSet lanes = blocks.get(BlockHasher.hex(blockHash));
    return lanes == null ? new BitSet() : (BitSet) lanes.clone();
  }

  @Override
  public void add(byte[] blockHash, int lane) {
    blocks.computeIfAbsent(BlockHasher.hex(blockHash), k -> new BitSet()).set(lane);
  }

  @Override
  public void remove(byte[] blockHash, int lane) {
    String key = BlockHasher.hex(blockHash);
    BitSet lanes = blocks.get(key);
    if (lanes == null) return;
    if (lane < 0) lanes.clear();
    else lanes.clear(lane);
    if (lanes.isEmpty()) blocks.remove(key);
  }

  public int size() {
    return blocks.size();
  }
}
