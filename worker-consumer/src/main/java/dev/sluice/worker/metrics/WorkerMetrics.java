package dev.sluice.worker.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus metrics of stage workers, registered once per registry and labelled by worker and
 * stage (several workers may share a JVM, e.g. in tests and {@code sluice up}).
 */
public final class WorkerMetrics {
  private static final Map<PrometheusRegistry, WorkerMetrics> BY_REGISTRY = new ConcurrentHashMap<>();

  public final Histogram batchSize;
  public final Histogram stepSeconds;
  public final Gauge queueDepth;
  public final Gauge activeSequences;
  public final Gauge kvBlocks;
  public final Counter kvHits;
  public final Counter kvMisses;
  public final Counter kvEvictions;
  public final Counter tokens;
  public final Counter requests;
  public final Counter recomputes;

  private WorkerMetrics(PrometheusRegistry registry) {
    String[] labels = {"worker", "stage"};
    batchSize = Histogram.builder().name("sluice_worker_batch_size").help("Records per batched forward")
        .classicUpperBounds(1, 2, 4, 8, 16, 32, 64).labelNames(labels).register(registry);
    stepSeconds = Histogram.builder().name("sluice_worker_step_seconds").help("Time of one batched forward")
        .labelNames(labels).register(registry);
    queueDepth = Gauge.builder().name("sluice_worker_queue_depth").help("Records polled and waiting to run")
        .labelNames(labels).register(registry);
    activeSequences = Gauge.builder().name("sluice_worker_active_sequences").help("Sequences with hot KV")
        .labelNames(labels).register(registry);
    kvBlocks = Gauge.builder().name("sluice_worker_kv_blocks").help("Blocks in the KV block cache")
        .labelNames(labels).register(registry);
    kvHits = Counter.builder().name("sluice_worker_kv_hits_total").help("Prompt blocks found in the block cache")
        .labelNames(labels).register(registry);
    kvMisses = Counter.builder().name("sluice_worker_kv_misses_total").help("Prompt blocks looked up and not found")
        .labelNames(labels).register(registry);
    kvEvictions = Counter.builder().name("sluice_worker_kv_evictions_total").help("Blocks evicted from the block cache")
        .labelNames(labels).register(registry);
    tokens = Counter.builder().name("sluice_worker_positions_total").help("Positions (prompt and generated tokens) run through this stage's layers")
        .labelNames(labels).register(registry);
    requests = Counter.builder().name("sluice_worker_requests_served_total").help("Requests this worker ended (last stage) or whose whole prompt it prefilled (earlier stages)")
        .labelNames(labels).register(registry);
    recomputes = Counter.builder().name("sluice_worker_recomputes_total").help("RECOMPUTE rebuilds run or requested")
        .labelNames(labels).register(registry);
  }

  /**
   * Creates every series of one worker at zero (counters, histograms and gauges), so that a worker
   * that has not yet hit, missed, evicted or recomputed anything shows 0 on {@code /metrics} and on
   * dashboards instead of no data; rate() and increase() in alerts then start from a real zero.
   * Idempotent: a series that already counts keeps its value.
   */
  public void startAtZero(String worker, int stage) {
    String s = String.valueOf(stage);
    batchSize.labelValues(worker, s);
    stepSeconds.labelValues(worker, s);
    queueDepth.labelValues(worker, s);
    activeSequences.labelValues(worker, s);
    kvBlocks.labelValues(worker, s);
    kvHits.labelValues(worker, s);
    kvMisses.labelValues(worker, s);
    kvEvictions.labelValues(worker, s);
    tokens.labelValues(worker, s);
    requests.labelValues(worker, s);
    recomputes.labelValues(worker, s);
  }

  public static WorkerMetrics in(PrometheusRegistry registry) {
    return BY_REGISTRY.computeIfAbsent(registry, WorkerMetrics::new);
  }
}
