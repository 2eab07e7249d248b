package dev.sluice.worker.status;

import dev.sluice.schemas.WorkerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's state as its heartbeats announce it: STARTING until its lanes are assigned, READY,
 * DRAINING on a graceful stop, FAILED as soon as any of its threads dies — so the router stops
 * placing requests on its lanes at the next heartbeat, not after a staleness timeout. Thread-safe.
 */
public final class WorkerHealth {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerHealth.class);

  private final String workerId;
  private volatile WorkerState state = WorkerState.STARTING;
  private volatile Throwable failure;

  public WorkerHealth(String workerId) {
    this.workerId = workerId;
  }

  public WorkerState state() {
    return state;
  }

  public void ready() {
    if (state == WorkerState.STARTING) {
      state = WorkerState.READY;
    }
  }

  public void draining() {
    if (state != WorkerState.FAILED) {
      state = WorkerState.DRAINING;
    }
  }

  /** A worker thread died: the worker is FAILED for good. */
  public void fail(String what, Throwable cause) {
    state = WorkerState.FAILED; // first: whoever sees the failure sees the worker not ready
    if (failure == null) {
      failure = cause;
      LOG.error("worker {}: {} failed; the worker leaves its group", workerId, what, cause);
    }
  }

  public boolean failed() {
    return state == WorkerState.FAILED;
  }

  public Throwable failure() {
    return failure;
  }
}
