package dev.sluice.ingress.admission;

import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.workers.ClusterMetrics;
import dev.sluice.topics.cluster.ClusterView;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Admission by the pipeline's real state, before a request is submitted: a stage (a stage topic that
 * exists) with no live READY worker fails the request at once with 503 {@code no_workers}; a stage
 * with more than {@code maxQueuedPerStage} records waiting — its consumer group's lag (read every
 * {@link ClusterMetrics#PERIOD}) or the queues its live workers report in their heartbeats,
 * whichever is more — answers 429 with a Retry-After, so a burst is turned away instead of queued
 * without bound.
 */
public final class PipelineAdmission {
  /** Seconds a client is told to wait when the pipeline is full: about one lag reading. */
  static final int RETRY_AFTER_FULL_S = 2;

  private final ClusterView workers;
  private final ClusterMetrics cluster;
  private final long maxQueuedPerStage;

  public PipelineAdmission(ClusterView workers, ClusterMetrics cluster, long maxQueuedPerStage) {
    this.workers = workers;
    this.cluster = cluster;
    this.maxQueuedPerStage = maxQueuedPerStage;
  }

  /** Stages that exist but have no live READY worker; empty until the stage topics were read once. */
  public Set<Integer> stagesWithoutWorkers() {
    Set<Integer> stages = cluster.stages();
    if (stages == null || !workers.isReady()) return Set.of();
    Set<Integer> missing = new TreeSet<>(stages);
    missing.removeAll(workers.snapshot().stagesWithLiveWorkers());
    return missing;
  }

  /** Records waiting per stage: the larger of the group's lag and the live workers' queues. */
  public Map<Integer, Long> queuedByStage() {
    Map<Integer, Long> queued = new java.util.TreeMap<>(cluster.stageLag());
    workers.snapshot().queuedByStage().forEach((stage, q) -> queued.merge(stage, q, Math::max));
    return queued;
  }

  /** Throws the answer to give instead of serving the request, if any. */
  public void admit() {
    Set<Integer> missing = stagesWithoutWorkers();
    if (!missing.isEmpty()) {
      throw new ApiError(503, "service_unavailable_error", "no_workers", null,
          "no live worker serves stage " + missing + "; retry once workers are back").withRetryAfter(RETRY_AFTER_FULL_S);
    }
    for (Map.Entry<Integer, Long> e : queuedByStage().entrySet()) {
      if (e.getValue() > maxQueuedPerStage) {
        throw new ApiError(429, "rate_limit_error", "pipeline_full", null, "stage " + e.getKey() + " has " + e.getValue()
            + " records waiting (limit " + maxQueuedPerStage + "); retry later").withRetryAfter(RETRY_AFTER_FULL_S);
      }
    }
  }
}
