package dev.sluice.router;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
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
  private final Counter cachedPromptTokens;
  private final Counter finishedPromptTokens;
  private final Gauge inFlightRequests;
  private final Gauge inFlightSeconds;

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
    cachedPromptTokens = Counter.builder().name("sluice_router_cached_prompt_tokens_total")
        .help("Prompt tokens of finished requests this router placed that were cached: predicted by the policy's index "
            + "at placement (source=predicted) and reported by the workers in the DONE result (source=reported)")
        .labelNames("policy", "source").register(registry);
    finishedPromptTokens = Counter.builder().name("sluice_router_finished_prompt_tokens_total")
        .help("Prompt tokens of finished requests this router placed (the denominator of the cached shares)")
        .labelNames("policy").register(registry);
    inFlightRequests = Gauge.builder().name("sluice_router_in_flight_requests")
        .help("Requests this router placed on the lane that have not finished yet").labelNames("lane").register(registry);
    inFlightSeconds = Gauge.builder().name("sluice_router_in_flight_work_seconds")
        .help("Estimated seconds of work still to do on the lane for this router's placements (the policies' load)")
        .labelNames("lane").register(registry);
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
    cachedPromptTokens.labelValues(policy, "predicted");
    cachedPromptTokens.labelValues(policy, "reported");
    finishedPromptTokens.labelValues(policy);
  }

  /** {@link #startAtZero(String)} and the in-flight gauges of every lane. */
  public void startAtZero(String policy, int lanes) {
    startAtZero(policy);
    for (int lane = 0; lane < lanes; lane++) inFlight(lane, 0, 0);
  }

  /** A finished request this router placed: the cached prompt tokens its index predicted and those a worker reported. */
  public void finished(String policy, int promptTokens, int predictedCached, int reportedCached) {
    finishedPromptTokens.labelValues(policy).inc(promptTokens);
    cachedPromptTokens.labelValues(policy, "predicted").inc(predictedCached);
    cachedPromptTokens.labelValues(policy, "reported").inc(reportedCached);
  }

  public void inFlight(int lane, int requests, double seconds) {
    String l = Integer.toString(lane);
    inFlightRequests.labelValues(l).set(requests);
    inFlightSeconds.labelValues(l).set(seconds);
  }

  public double cachedPromptTokens(String policy, String source) {
    return cachedPromptTokens.labelValues(policy, source).get();
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
