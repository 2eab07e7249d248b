package dev.sluice.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCacheTest {
  private static final int BLOCK = 1024;

  private static byte[] hash(int i) {
    byte[] h = new byte[16];
    h[0] = (byte) i;
    h[15] = (byte) (i >> 8);
    return h;
  }

  private static byte[] block(int fill) {
    byte[] b = new byte[BLOCK];
    Arrays.fill(b, (byte) fill);
    return b;
  }

  @Test
  void shouldEvictTheLeastRecentlyUsedBlockWhenTheBudgetIsFull(@TempDir Path dir) {
    try (BlockCache cache = BlockCache.open(dir, "t", BLOCK, 3L * BLOCK)) {
      cache.store(hash(1), block(1));
      cache.store(hash(2), block(2));
      cache.store(hash(3), block(3));
      assertThat(cache.load(hash(1))).isEqualTo(block(1)); // 1 is now the most recent
      List<byte[]> evicted = cache.store(hash(4), block(4));

      assertThat(evicted).singleElement().isEqualTo(hash(2));
      assertThat(cache.contains(hash(2))).isFalse();
      assertThat(cache.load(hash(2))).isNull();
      assertThat(cache.size()).isEqualTo(3);
      assertThat(cache.evictions()).isEqualTo(1);
      assertThat(cache.hits()).isEqualTo(1);
      assertThat(cache.misses()).isEqualTo(1);
    }
  }

  @Test
  void shouldReportAnEvictedBlockUnderEveryLaneThatHeldItNotTheLaneThatPushedItOut(@TempDir Path dir) {
    try (BlockCache cache = BlockCache.open(dir, "t", BLOCK, 2L * BLOCK)) {
      cache.storeForLane(hash(1), block(1), 3);
      assertThat(cache.addLane(hash(1), 5)).as("lane 5 used it").isTrue();
      assertThat(cache.addLane(hash(1), 5)).as("already known").isFalse();
      cache.storeForLane(hash(2), block(2), 4);
      List<BlockCache.Evicted> evicted = cache.storeForLane(hash(3), block(3), 0); // a lane-0 request pushes block 1 out

      assertThat(evicted).singleElement().satisfies(e -> {
        assertThat(e.hash()).isEqualTo(hash(1));
        assertThat(e.lanes().stream().boxed().toList()).containsExactly(3, 5);
      });
    }
  }

  @Test
  void shouldKeepBlocksAcrossReopen(@TempDir Path dir) {
    try (BlockCache cache = BlockCache.open(dir, "t", BLOCK, 8L * BLOCK)) {
      cache.store(hash(7), block(7));
    }
    try (BlockCache reopened = BlockCache.open(dir, "t", BLOCK, 8L * BLOCK)) {
      assertThat(reopened.size()).isEqualTo(1);
      assertThat(reopened.load(hash(7))).isEqualTo(block(7));
    }
  }

  @Test
  void shouldStayWithinBudgetUnderManyStores(@TempDir Path dir) {
    try (BlockCache cache = BlockCache.open(dir, "t", BLOCK, 100L * BLOCK)) {
      List<byte[]> evicted = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        evicted.addAll(cache.store(hash(i), block(i)));
      }
      assertThat(cache.size()).isEqualTo(100);
      assertThat(evicted).hasSize(900);
      assertThat(cache.load(hash(999))).isEqualTo(block(999));
    }
  }

  /** The file on disk is about the budget (kv_cache_mb), not a multiple of it, even after many evictions. */
  @Test
  void shouldTakeAboutItsBudgetOnDisk(@TempDir Path dir) throws Exception {
    int blockBytes = 64 * 1024;
    long budget = 32L * 1024 * 1024;
    try (BlockCache cache = BlockCache.open(dir, "disk", blockBytes, budget)) {
      byte[] block = new byte[blockBytes];
      for (int i = 0; i < 3 * budget / blockBytes; i++) {
        cache.store(hash(i), block);
      }
      assertThat(cache.size()).isBetween((long) (0.9 * budget / blockBytes), budget / blockBytes);
    }
    try (var files = java.nio.file.Files.list(dir)) {
      long onDisk = files.mapToLong(f -> f.toFile().length()).sum();
      System.out.println("block cache file: " + onDisk / 1024 + " KiB for a budget of " + budget / 1024 + " KiB");
      assertThat(onDisk).as("bytes of the cache file").isLessThan((long) (1.25 * budget));
    }
  }
}
