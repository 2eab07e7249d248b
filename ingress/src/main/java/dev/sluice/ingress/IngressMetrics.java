package dev.sluice.ingress;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * The ingress's Prometheus metrics ({@code sluice_ingress_*}), and the cluster gauges it exports from
 * what it reads of the cluster ({@code sluice_cluster_*}, see {@link dev.sluice.ingress.workers.ClusterMetrics}).
 * Every series with known label values exists from the start at zero, so dashboards show 0, not "No data".
 */
public final class IngressMetrics {
  /** The endpoint label values of generation requests. */
  static final List<String> ENDPOINTS = List.of("completions", "chat_completions");
  /** Status codes created at zero for every endpoint (others appear when first answered). */
  static final List<String> STATUSES = List.of("200", "400", "401", "404", "413", "429", "499", "500", "503", "504");
  /** The kind label values of {@code sluice_ingress_tokens_total}. */
  static final List<String> TOKEN_KINDS = List.of("prompt", "cached", "completion");

  private static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

  final Counter requests;
  final Gauge inFlight;
  final Histogram timeToFirstToken;
  final Histogram latency;
  final Counter tokens;
  /** Cancels this instance sent, by reason (client_disconnected, client). */
  final Counter cancels;
  /** Workers per stage by health (healthy, stale), from their heartbeats. */
  public final Gauge clusterWorkers;
  /** Records of a stage's topic its consumer group has not committed yet. */
  public final Gauge stageLag;
  /** Records ever written to the dead-letter topic (the sum of its end offsets). */
  public final Gauge dlqRecords;

  private static final java.util.Map<PrometheusRegistry, IngressMetrics> BY_REGISTRY = new java.util.concurrent.ConcurrentHashMap<>();

  /** The metrics in {@code registry}, created once per registry (a registry refuses a metric name twice). */
  public static IngressMetrics in(PrometheusRegistry registry) {
    return BY_REGISTRY.computeIfAbsent(registry, IngressMetrics::new);
  }

  private IngressMetrics(PrometheusRegistry registry) {
    requests = Counter.builder().name("sluice_ingress_requests_total")
        .help("HTTP requests answered, by endpoint and status code").labelNames("endpoint", "status").register(registry);
    inFlight = Gauge.builder().name("sluice_ingress_in_flight")
        .help("Generation requests waiting for their results").register(registry);
    timeToFirstToken = Histogram.builder().name("sluice_ingress_ttft_seconds")
        .help("Time from receiving a generation request to its first token").labelNames("endpoint")
        .classicOnly().classicUpperBounds(SECONDS).register(registry);
    latency = Histogram.builder().name("sluice_ingress_latency_seconds")
        .help("Time from receiving a generation request to its final result").labelNames("endpoint")
        .classicOnly().classicUpperBounds(SECONDS).register(registry);
    tokens = Counter.builder().name("sluice_ingress_tokens_total")
        .help("Tokens of finished requests: prompt, cached (prompt tokens served from KV cache), completion")
        .labelNames("kind").register(registry);
    cancels = Counter.builder().name("sluice_ingress_cancels_total")
        .help("Requests this instance asked the pipeline to cancel, by reason: client_disconnected (the HTTP client "
            + "went away before the answer), client (POST /v1/requests/ID/cancel)").labelNames("reason").register(registry);
    cancels.labelValues("client_disconnected");
    cancels.labelValues("client");
    clusterWorkers = Gauge.builder().name("sluice_cluster_workers")
        .help("Workers per stage by health as GET /workers says it, from their heartbeats: healthy, stale (heartbeats "
            + "stopped without a clean leave, until the worker list forgets them), failed, starting, draining").labelNames("stage", "health")
        .register(registry);
    stageLag = Gauge.builder().name("sluice_cluster_stage_lag_records")
        .help("Records of PREFIX.stage-K the stage's consumer group has not committed yet").labelNames("stage")
        .register(registry);
    dlqRecords = Gauge.builder().name("sluice_cluster_dlq_records")
        .help("Records ever written to PREFIX.dlq (sum of its end offsets)").register(registry);
    for (String endpoint : ENDPOINTS) {
      for (String status : STATUSES) requests.labelValues(endpoint, status);
      timeToFirstToken.labelValues(endpoint);
      latency.labelValues(endpoint);
    }
    for (String kind : TOKEN_KINDS) tokens.labelValues(kind);
  }
}
