package dev.sluice.topics.cluster;

import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import java.util.Locale;

/**
 * One worker as the cluster view knows it: its latest heartbeat, when this process heard it (by this
 * process's clock), and whether it has been silent for longer than the stale limit.
 */
public record KnownWorker(WorkerStatus status, long heardAtMs, boolean stale) {

  /** READY and not stale: it serves its lanes now. */
  public boolean live() {
    return !stale && status.getState() == WorkerState.READY;
  }

  /** How {@code GET /workers}, the metrics and {@code sluice workers} name it: healthy, stale, or its state. */
  public String health() {
    if (stale) return "stale";
    return status.getState() == WorkerState.READY ? "healthy" : status.getState().name().toLowerCase(Locale.ROOT);
  }
}
