package dev.sluice.router.topology;

import dev.sluice.router.policy.PrefixIndex;
import java.util.BitSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/** A {@link PrefixIndex} in a Kafka Streams key-value store (block hash → lane bit set). */
final class StorePrefixIndex implements PrefixIndex {
  private final KeyValueStore<Bytes, byte[]> store;

  StorePrefixIndex(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  @Override
  public BitSet lanesOf(byte[] blockHash) {
    return PrefixIndex.decode(store.get(Bytes.wrap(blockHash)));
  }

  @Override
  public void add(byte[] blockHash, int lane) {
    BitSet lanes = lanesOf(blockHash);
    if (lanes.get(lane)) return; // already known: skip the changelog write
    lanes.set(lane);
    store.put(Bytes.wrap(blockHash), PrefixIndex.encode(lanes));
  }

  @Override
  public void remove(byte[] blockHash, int lane) {
    BitSet lanes = lanesOf(blockHash);
    if (lane < 0) lanes.clear();
    else lanes.clear(lane);
    if (lanes.isEmpty()) store.delete(Bytes.wrap(blockHash));
    else store.put(Bytes.wrap(blockHash), PrefixIndex.encode(lanes));
  }
}
