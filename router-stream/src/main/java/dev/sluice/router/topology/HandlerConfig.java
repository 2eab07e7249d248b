package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import dev.sluice.schemas.topic.SluiceTopics;
import java.util.Map;

/**
 * What the router's error handlers read from the Streams config: the topics of the router's namespace
 * (where dead letters and ERROR results go, which topic holds the requests; null when not configured)
 * and the metrics to count them in (null in some tests).
 */
record HandlerConfig(SluiceTopics topics, RouterMetrics metrics) {

  static HandlerConfig from(Map<String, ?> configs) {
    Object namespace = configs.get(RouterTopology.NAMESPACE_CONFIG);
    return new HandlerConfig(namespace == null ? null : new SluiceTopics(namespace.toString()),
        RouterTopology.metricsFrom(configs));
  }

  /** True for a record of the requests topic (false when no topics are configured). */
  boolean isRequestsTopic(String topic) {
    return topics != null && topics.requests().name().equals(topic);
  }

  /** Counts one outcome when there are metrics to count it in. */
  void count(String outcome) {
    if (metrics != null) metrics.request(outcome);
  }
}
