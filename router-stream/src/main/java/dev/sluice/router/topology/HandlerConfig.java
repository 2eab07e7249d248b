package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import java.util.Map;

/**
 * What the router's error handlers read from the Streams config: where dead letters and ERROR results
 * go, which topic holds the requests, and the metrics to count them in (null in some tests).
 */
record HandlerConfig(String dlqTopic, String requestsTopic, String resultsTopic, RouterMetrics metrics) {

  static HandlerConfig from(Map<String, ?> configs) {
    return new HandlerConfig(RouterTopology.string(configs, RouterTopology.DLQ_TOPIC_CONFIG),
        RouterTopology.string(configs, RouterTopology.REQUESTS_TOPIC_CONFIG),
        RouterTopology.string(configs, RouterTopology.RESULTS_TOPIC_CONFIG), RouterTopology.metricsFrom(configs));
  }

  /** Counts one outcome when there are metrics to count it in. */
  void count(String outcome) {
    if (metrics != null) metrics.request(outcome);
  }
}
