package dev.sluice.worker;

import dev.sluice.model.StageModel;
import dev.sluice.worker.cache.BlockCache;

/** Opens the stage's block cache with the block size and budget of its settings, or none when off. */
final class BlockCacheOpener {
  private BlockCacheOpener() {}

  static BlockCache open(WorkerSettings s, StageModel model) {
    if (s.kvCacheMb() == 0) {
      return null;
    }
    int blockBytes = s.blockSize() * model.kvBytesPerPosition();
    return BlockCache.open(s.dataDir(), s.modelId() + "-L" + s.layers(), blockBytes, s.kvCacheMb() * 1024L * 1024L);
  }
}
