package dev.sluice.worker.schedule;

/**
 * The settings the batch rule ({@link MicroBatcher}) cuts with.
 *
 * @param maxBatchSize at most this many records in one step
 * @param batchingWindowMs how long records from the router wait for others
 * @param stages S, the pipeline depth the micro-batches are cut for (at least 1)
 */
record BatchLimits(int maxBatchSize, int batchingWindowMs, int stages) {
  BatchLimits {
    stages = Math.max(1, stages);
  }
}
