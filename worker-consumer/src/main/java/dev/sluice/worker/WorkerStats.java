package dev.sluice.worker;

import dev.sluice.worker.metrics.WorkerMetrics;
import dev.sluice.worker.status.WorkerStatusSource;
import dev.sluice.worker.step.StepCounters;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one worker, for heartbeats and Prometheus. Thread-safe. */
final class WorkerStats implements StepCounters, WorkerStatusSource.Counters {
  final AtomicLong tokens = new AtomicLong();
  final AtomicLong requestsServed = new AtomicLong();
  final AtomicLong duplicatesDropped = new AtomicLong();
  final AtomicLong recomputesRequested = new AtomicLong();
  final AtomicLong recomputesRun = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong batchedRecords = new AtomicLong();
  final AtomicLong stepMillis = new AtomicLong();
  final AtomicLong coreWaitNanos = new AtomicLong();
  private final WorkerMetrics metrics;
  private final String worker;
  private final String stage;

  WorkerStats(WorkerMetrics metrics, String worker, int stage) {
    this.metrics = metrics;
    this.worker = worker;
    this.stage = String.valueOf(stage);
  }

  @Override
  public void stepMillis(long millis, int batchSize) {
    batches.incrementAndGet();
    batchedRecords.addAndGet(batchSize);
    stepMillis.addAndGet(millis);
    metrics.batchSize.labelValues(worker, stage).observe(batchSize);
    metrics.stepSeconds.labelValues(worker, stage).observe(millis / 1000.0);
  }

  /** The compute thread waited this long for a core since the last step ({@link dev.sluice.model.CoreWait}). */
  void coreWaited(long nanos) {
    if (nanos > 0) {
      coreWaitNanos.addAndGet(nanos);
      metrics.coreWaitSeconds.labelValues(worker, stage).inc(nanos / 1e9);
    }
  }

  @Override
  public long tokens() {
    return tokens.get();
  }

  @Override
  public long requestsServed() {
    return requestsServed.get();
  }

  void tokens(int n) {
    tokens.addAndGet(n);
    metrics.tokens.labelValues(worker, stage).inc(n);
  }

  @Override
  public void requestServed() {
    requestsServed.incrementAndGet();
    metrics.requests.labelValues(worker, stage).inc();
  }

  @Override
  public void duplicateDropped() {
    duplicatesDropped.incrementAndGet();
  }

  @Override
  public void recomputeRequested() {
    recomputesRequested.incrementAndGet();
    metrics.recomputes.labelValues(worker, stage).inc();
  }

  @Override
  public void recomputeRan() {
    recomputesRun.incrementAndGet();
    metrics.recomputes.labelValues(worker, stage).inc();
  }

  @Override
  public void gauges(int queueDepth, int active, long kvBlocks) {
    metrics.queueDepth.labelValues(worker, stage).set(queueDepth);
    metrics.activeSequences.labelValues(worker, stage).set(active);
    metrics.kvBlocks.labelValues(worker, stage).set(kvBlocks);
  }

  @Override
  public void cacheDeltas(long hits, long misses, long evictions) {
    if (hits > 0) metrics.kvHits.labelValues(worker, stage).inc(hits);
    if (misses > 0) metrics.kvMisses.labelValues(worker, stage).inc(misses);
    if (evictions > 0) metrics.kvEvictions.labelValues(worker, stage).inc(evictions);
  }
}
