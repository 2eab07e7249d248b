package dev.sluice.router;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The router's Prometheus metrics. */
public final class RouterMetrics {
  private final Counter decisions;
  private final Counter requests;
  private final Histogram prefixMatch;

  public RouterMetrics(PrometheusRegistry registry) {
    decisions = Counter.builder().name("sluice_router_decisions_total")
        .help("Lane choices by policy and outcome (affinity_hit, load_override, new_prefix, fallback, load_balanced)")
        .labelNames("policy", "outcome").register(registry);
    requests = Counter.builder().name("sluice_router_requests_total")
        .help("Requests read by the router by outcome (routed, rejected, unreadable, no_workers, deadline_exceeded, failed)")
        .labelNames("outcome").register(registry);
    prefixMatch = Histogram.builder().name("sluice_router_prefix_match_blocks")
        .help("Prompt blocks the policy believed cached on the chosen lane")
        .classicUpperBounds(0, 1, 2, 4, 8, 16, 32, 64, 128, 256)
        .labelNames("policy").register(registry);
  }

  private static volatile RouterMetrics inDefaultRegistry;

  /** Metrics in the default registry, created once per process (a registry refuses a metric name twice). */
  public static synchronized RouterMetrics defaultRegistry() {
    if (inDefaultRegistry == null) inDefaultRegistry = new RouterMetrics(PrometheusRegistry.defaultRegistry);
    return inDefaultRegistry;
  }

  public void decision(String policy, String outcome, int matchedBlocks) {
    decisions.labelValues(policy, outcome).inc();
    prefixMatch.labelValues(policy).observe(matchedBlocks);
  }

  public void request(String outcome) {
    requests.labelValues(outcome).inc();
  }

  public double decisions(String policy, String outcome) {
    return decisions.labelValues(policy, outcome).get();
  }

  public double requests(String outcome) {
    return requests.labelValues(outcome).get();
  }
}
