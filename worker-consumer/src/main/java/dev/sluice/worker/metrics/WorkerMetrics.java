package dev.sluice.worker.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.MetricWithFixedMetadata;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Prometheus metrics of stage workers, registered once per registry and labelled by worker and
 * stage (several workers may share a JVM, e.g. in tests and {@code sluice up}).
 */
public final class WorkerMetrics {
  private static final Map<PrometheusRegistry, WorkerMetrics> BY_REGISTRY = new ConcurrentHashMap<>();
  private static final String[] LABELS = {"worker", "stage"};

  /** Every metric below, in registration order. */
  private final List<StatefulMetric<?, ?>> all = new ArrayList<>();

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
  public final Counter coreWaitSeconds;

  private WorkerMetrics(PrometheusRegistry registry) {
    batchSize = register(Histogram.builder().classicUpperBounds(1, 2, 4, 8, 16, 32, 64),
        "sluice_worker_batch_size", "Records per batched forward", registry);
    stepSeconds = register(Histogram.builder(), "sluice_worker_step_seconds", "Time of one batched forward", registry);
    queueDepth = register(Gauge.builder(), "sluice_worker_queue_depth", "Records polled and waiting to run", registry);
    activeSequences = register(Gauge.builder(), "sluice_worker_active_sequences", "Sequences with hot KV", registry);
    kvBlocks = register(Gauge.builder(), "sluice_worker_kv_blocks", "Blocks in the KV block cache", registry);
    kvHits = register(Counter.builder(), "sluice_worker_kv_hits_total", "Prompt blocks found in the block cache",
        registry);
    kvMisses = register(Counter.builder(), "sluice_worker_kv_misses_total", "Prompt blocks looked up and not found",
        registry);
    kvEvictions = register(Counter.builder(), "sluice_worker_kv_evictions_total", "Blocks evicted from the block cache",
        registry);
    tokens = register(Counter.builder(), "sluice_worker_positions_total",
        "Positions (prompt and generated tokens) run through this stage's layers", registry);
    requests = register(Counter.builder(), "sluice_worker_requests_served_total",
        "Requests this worker ended (last stage) or whose whole prompt it prefilled (earlier stages)", registry);
    recomputes = register(Counter.builder(), "sluice_worker_recomputes_total", "RECOMPUTE rebuilds run or requested",
        registry);
    coreWaitSeconds = register(Counter.builder(), "sluice_worker_core_wait_seconds_total",
        "Time the compute thread was ready to run but waited for a CPU core (Linux): what co-located threads cost it",
        registry);
  }

  /** Registers the metric of {@code builder} under {@code name}, labelled by worker and stage; kept for {@link #startAtZero}. */
  private <B extends MetricWithFixedMetadata.Builder<B, M>, M extends StatefulMetric<?, ?>> M register(B builder,
      String name, String help, PrometheusRegistry registry) {
    M metric = builder.name(name).help(help).labelNames(LABELS).register(registry);
    all.add(metric);
    return metric;
  }

  /**
   * Creates every series of one worker at zero (counters, histograms and gauges), so that a worker
   * that has not yet hit, missed, evicted or recomputed anything shows 0 on {@code /metrics} and on
   * dashboards instead of no data; rate() and increase() in alerts then start from a real zero.
   * Idempotent: a series that already counts keeps its value.
   */
  public void startAtZero(String worker, int stage) {
    for (StatefulMetric<?, ?> metric : all) {
      metric.labelValues(worker, String.valueOf(stage));
    }
  }

  public static WorkerMetrics in(PrometheusRegistry registry) {
    return BY_REGISTRY.computeIfAbsent(registry, WorkerMetrics::new);
  }
}
