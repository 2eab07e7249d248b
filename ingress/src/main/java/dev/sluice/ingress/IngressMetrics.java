package dev.sluice.ingress;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The ingress's Prometheus metrics ({@code sluice_ingress_*}). */
public final class IngressMetrics {
  private static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

  final Counter requests;
  final Gauge inFlight;
  final Histogram timeToFirstToken;
  final Histogram latency;
  final Counter tokens;

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
  }
}
