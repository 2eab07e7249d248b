package dev.sluice.router;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import dev.sluice.router.admission.ErrorResults;
import dev.sluice.router.policy.RoutingDecision;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/** The router's Prometheus metrics. */
public final class RouterMetrics {
  /** Every outcome label of {@code sluice_router_requests_total}. */
  public static final List<String> REQUEST_OUTCOMES = List.of("routed", "rejected", "unreadable",
      ErrorResults.NO_WORKERS, ErrorResults.DEADLINE_EXCEEDED, "failed", "duplicate");

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

  /**
   * Creates every series the router can report for {@code policy} at zero, so that a fresh router's
   * {@code /metrics} (and dashboards, and rate() in alerts) show 0 rather than nothing.
   */
  public void startAtZero(String policy) {
    for (RoutingDecision.Outcome outcome : RoutingDecision.Outcome.values()) {
      decisions.labelValues(policy, outcome.label());
    }
    for (String outcome : REQUEST_OUTCOMES) {
      requests.labelValues(outcome);
    }
    prefixMatch.labelValues(policy);
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
