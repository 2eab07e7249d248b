package dev.sluice.worker.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The cold tier of the KV cache: block hash (16 bytes) → that block's K and V for this stage's
 * layers ({@code SequenceKv.exportRange} bytes), in a Chronicle Map persisted to a file so a restarted
 * worker comes back warm.
 *
 * <p>Chronicle Map has no eviction of its own, so an in-memory least-recently-used index sits on top:
 * it holds the budget ({@code capacityBlocks}), and when a put still hits a full segment
 * ({@link IllegalStateException}) the oldest blocks are evicted until the put fits. The map is sized
 * with headroom over the budget so that rarely happens. On open the index is rebuilt from the file's
 * keys (their order of use is lost across restarts; that only affects which block goes first).
 *
 * <p>The index also remembers the lanes each block was stored or used for: the worker's cache is
 * shared by every lane it owns, so an evicted block is gone from all of them, and the kv-events that
 * feed the precise policy report the eviction under those lanes (not under the lane of the request
 * whose store pushed it out). Blocks restored from the file have no known lane until used again.
 *
 * <p>Thread-safe (one lock); the worker thread stores and loads, heartbeats read the counters.
 */
public final class BlockCache implements AutoCloseable {
  /**
   * Map entries per budget block. Chronicle allocates the file for its entries up front, so this is
   * what the file costs on disk: about the budget. Space is per segment, so a segment may fill before
   * the budget does; then its oldest blocks go first (see {@link #store}).
   */
  private static final double HEADROOM = 1.0;
  private static final int MAX_EVICT_RETRIES = 64;

  private final ChronicleMap<byte[], byte[]> map;
  private final LinkedHashMap<ByteBuffer, BitSet> lru = new LinkedHashMap<>(1024, 0.75f, true);
  private final int blockBytes;
  private final long capacityBlocks;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  private BlockCache(ChronicleMap<byte[], byte[]> map, int blockBytes, long capacityBlocks) {
    this.map = map;
    this.blockBytes = blockBytes;
    this.capacityBlocks = capacityBlocks;
    for (byte[] key : map.keySet()) {
      lru.put(ByteBuffer.wrap(key), new BitSet());
    }
    trimToBudget(new ArrayList<>());
  }

  /**
   * Opens (or creates) the block store in {@code dir}. The file name records the stage's identity and
   * the block size in bytes, so a worker with other layers never reads incompatible values.
   *
   * @param name identifies the model and layers, e.g. {@code stories260K-L0-2}
   * @param blockBytes bytes of one block's K and V for this stage
   * @param budgetBytes kv_cache_mb in bytes; the number of blocks kept is budget / blockBytes
   */
  public static BlockCache open(Path dir, String name, int blockBytes, long budgetBytes) {
    long capacity = Math.max(0, budgetBytes / blockBytes);
    if (capacity == 0) {
      throw new IllegalArgumentException("kv cache budget of " + budgetBytes + " bytes holds no block of "
          + blockBytes + " bytes; raise kv_cache_mb");
    }
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("kv-" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + blockBytes + "B.cmap");
      ChronicleMap<byte[], byte[]> map = ChronicleMapBuilder.of(byte[].class, byte[].class)
          .name("sluice-kv-" + name)
          .constantKeySizeBySample(new byte[16])
          .constantValueSizeBySample(new byte[blockBytes])
          .entries(Math.max(64, (long) (capacity * HEADROOM)))
          // one segment: its entries are exactly the budget (many segments each keep slack for the
          // spread of entries between them, 40-100% more file); this class locks the map as a whole anyway
          .actualSegments(1)
          .checksumEntries(false) // halves put cost (STACK.md); a torn block only costs a recompute
          .createPersistedTo(file.toFile());
      return new BlockCache(map, blockBytes, capacity);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the KV block cache in " + dir, e);
    }
  }

  public int blockBytes() {
    return blockBytes;
  }

  public long capacityBlocks() {
    return capacityBlocks;
  }

  public synchronized long size() {
    return lru.size();
  }

  public synchronized boolean contains(byte[] hash) {
    return lru.containsKey(ByteBuffer.wrap(hash));
  }

  /** The block's bytes, or null; counts a hit or a miss and marks the block as recently used. */
  public synchronized byte[] load(byte[] hash) {
    byte[] value = lru.get(ByteBuffer.wrap(hash)) == null ? null : map.get(hash);
    if (value == null || value.length != blockBytes) {
      misses.incrementAndGet();
      return null;
    }
    hits.incrementAndGet();
    return value;
  }

  /** A block evicted to make room, with the lanes it had been stored or used for (empty: unknown). */
  public record Evicted(byte[] hash, BitSet lanes) {}

  /**
   * Stores a block (rewriting an existing one is harmless: same hash, same values) and returns the
   * hashes evicted to make room.
   */
  public List<byte[]> store(byte[] hash, byte[] block) {
    return storeForLane(hash, block, -1).stream().map(Evicted::hash).toList();
  }

  /**
   * Records that a request on {@code lane} holds this cached block (it was used there); true when
   * the block is cached and the lane is new for it.
   */
  public synchronized boolean addLane(byte[] hash, int lane) {
    BitSet lanes = lru.get(ByteBuffer.wrap(hash));
    if (lanes == null || lane < 0 || lanes.get(lane)) return false;
    lanes.set(lane);
    return true;
  }

  /** {@link #store} for a request on {@code lane} (negative: unknown); returns the evicted blocks with their lanes. */
  public synchronized List<Evicted> storeForLane(byte[] hash, byte[] block, int lane) {
    if (block.length != blockBytes) {
      throw new IllegalArgumentException("a block is " + blockBytes + " bytes, got " + block.length);
    }
    List<Evicted> evicted = new ArrayList<>();
    ByteBuffer key = ByteBuffer.wrap(hash.clone());
    BitSet known = lru.get(key); // touches it
    if (known != null) {
      if (lane >= 0) known.set(lane);
      return evicted;
    }
    BitSet lanes = new BitSet();
    if (lane >= 0) lanes.set(lane);
    lru.put(key, lanes);
    trimToBudget(evicted);
    for (int attempt = 0; ; attempt++) {
      try {
        map.put(key.array(), block);
        return evicted;
      } catch (IllegalStateException segmentFull) {
        // The block's segment is full although the budget is not: free the oldest blocks and retry.
        if (attempt >= MAX_EVICT_RETRIES || !evictOldest(evicted, key)) {
          lru.remove(key);
          return evicted;
        }
      }
    }
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  public long evictions() {
    return evictions.get();
  }

  private void trimToBudget(List<Evicted> evicted) {
    while (lru.size() > capacityBlocks) {
      if (!evictOldest(evicted, null)) {
        return;
      }
    }
  }

  private boolean evictOldest(List<Evicted> evicted, ByteBuffer keep) {
    Iterator<java.util.Map.Entry<ByteBuffer, BitSet>> it = lru.entrySet().iterator();
    while (it.hasNext()) {
      java.util.Map.Entry<ByteBuffer, BitSet> oldest = it.next();
      if (oldest.getKey().equals(keep)) {
        continue;
      }
      it.remove();
      map.remove(oldest.getKey().array());
      evictions.incrementAndGet();
      evicted.add(new Evicted(oldest.getKey().array(), oldest.getValue()));
      return true;
    }
    return false;
  }

  @Override
  public synchronized void close() {
    map.close();
  }
}
