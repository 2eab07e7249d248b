package dev.sluice.bench.chaos;

/**
 * Strikes one fault on the deployment ({@link #strike}) and, after its pass, brings the deployment back
 * to two workers per stage, a ready router, broker and both ingress instances ({@link #restore}).
 */
final class FaultInjector {
  private final Deployment deployment;
  private String killedWorker;

  FaultInjector(Deployment deployment) {
    this.deployment = deployment;
  }

  FaultMarks strike(Fault fault) {
    long at = System.currentTimeMillis();
    switch (fault) {
      case WORKER_STAGE0, WORKER_LAST -> {
        killedWorker = deployment.workerOf(fault == Fault.WORKER_STAGE0 ? 0 : deployment.lastStage());
        deployment.killWorker(killedWorker);
        return new FaultMarks(at, -1, -1, System.currentTimeMillis(), "killed worker " + killedWorker + " (kill -9)");
      }
      case ROUTER -> {
        deployment.killRouter();
        long replacement = deployment.startRouter().startedAtMs();
        deployment.awaitReady();
        long done = System.currentTimeMillis();
        return new FaultMarks(at, replacement, -1, done, String.format("killed the router (kill -9); replacement started "
            + "%d ms later, ready %d ms after its start", replacement - at, done - replacement));
      }
      case BROKER -> {
        if (!deployment.ownsBroker()) {
          return new FaultMarks(at, -1, -1, at, "skipped: the broker is external (--bootstrap-servers), not restarted");
        }
        deployment.restartBroker();
        long done = System.currentTimeMillis();
        deployment.awaitReady();
        return new FaultMarks(at, -1, -1, done, String.format("broker stopped and started again: accepting clients "
            + "%d ms after the stop began, pipeline ready after %d ms", done - at, System.currentTimeMillis() - at));
      }
      case INGRESS -> {
        deployment.killIngress(0);
        return new FaultMarks(at, -1, -1, System.currentTimeMillis(), "killed ingress 0 (kill -9)");
      }
      case SCALE -> {
        String added = deployment.addWorker(0);
        deployment.awaitReady();
        String removed = deployment.workerOf(0);
        long second = System.currentTimeMillis();
        deployment.terminateWorker(removed);
        long done = System.currentTimeMillis();
        return new FaultMarks(at, -1, second, done, String.format("added worker %s (healthy after %d ms), then stopped "
            + "worker %s with SIGTERM (exited after %d ms)", added, second - at, removed, done - second));
      }
      default -> throw new IllegalArgumentException("no such fault " + fault);
    }
  }

  /** After the pass: the killed worker restarted with its id, ingress 0 started again, every role ready. */
  void restore(Fault fault) {
    if (fault.isWorkerKill()) deployment.restartWorker(killedWorker);
    if (fault == Fault.INGRESS) deployment.startIngress(0);
    deployment.awaitReady();
  }
}
