package dev.sluice.router.topology;

import dev.sluice.router.policy.PrefixIndex;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A {@link PrefixIndex} in a Kafka Streams key-value store: block hash → (last time a request with
 * the block was routed, lane bit set). The time lets {@link #forgetOlderThan} drop blocks nobody
 * asked for within the index TTL, which keeps the store bounded and mirrors the workers' LRU caches
 * (a block unused for that long has most likely been evicted).
 */
final class StorePrefixIndex implements PrefixIndex {
  private final KeyValueStore<Bytes, byte[]> store;
  private final LongSupplier clock;
  private final long refreshAfterMs;

  /**
   * @param clock the processor's clock
   * @param refreshAfterMs re-adding a known lane rewrites the entry (a changelog record) only when its
   *     time is older than this, so hot prefixes do not write on every request
   */
  StorePrefixIndex(KeyValueStore<Bytes, byte[]> store, LongSupplier clock, long refreshAfterMs) {
    this.store = store;
    this.clock = clock;
    this.refreshAfterMs = refreshAfterMs;
  }

  @Override
  public BitSet lanesOf(byte[] blockHash) {
    byte[] value = store.get(Bytes.wrap(blockHash));
    return value == null ? new BitSet() : lanes(value);
  }

  @Override
  public void add(byte[] blockHash, int lane) {
    long now = clock.getAsLong();
    byte[] value = store.get(Bytes.wrap(blockHash));
    BitSet lanes = value == null ? new BitSet() : lanes(value);
    if (lanes.get(lane) && now - lastUsedMs(value) < refreshAfterMs) return;
    lanes.set(lane);
    store.put(Bytes.wrap(blockHash), encode(now, lanes));
  }

  @Override
  public void remove(byte[] blockHash, int lane) {
    byte[] value = store.get(Bytes.wrap(blockHash));
    if (value == null) return;
    BitSet lanes = lanes(value);
    if (lane < 0) lanes.clear();
    else lanes.clear(lane);
    if (lanes.isEmpty()) store.delete(Bytes.wrap(blockHash));
    else store.put(Bytes.wrap(blockHash), encode(lastUsedMs(value), lanes));
  }

  /** Deletes the blocks last used before {@code cutoffMs}; returns how many. */
  int forgetOlderThan(long cutoffMs) {
    List<Bytes> old = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        if (lastUsedMs(kv.value) < cutoffMs) old.add(kv.key);
      }
    }
    old.forEach(store::delete);
    return old.size();
  }

  private static long lastUsedMs(byte[] value) {
    return ByteBuffer.wrap(value, 0, Long.BYTES).getLong();
  }

  private static BitSet lanes(byte[] value) {
    return BitSet.valueOf(ByteBuffer.wrap(value, Long.BYTES, value.length - Long.BYTES));
  }

  private static byte[] encode(long lastUsedMs, BitSet lanes) {
    byte[] bits = lanes.toByteArray();
    return ByteBuffer.allocate(Long.BYTES + bits.length).putLong(lastUsedMs).put(bits).array();
  }
}
