package dev.sluice.bench.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The fault suite's targets (issue 12): under every fault 100% of the requests completed, none differing
 * from the undisturbed run, no duplicate terminal event and no (requestId, index) twice on the results
 * topic; the longest stall at most 15 s for a worker kill and at most 10 s after a router replacement starts.
 */
public final class ChaosTargets {
  public static final long WORKER_KILL_STALL_MS = 15_000;
  public static final long ROUTER_STALL_AFTER_REPLACEMENT_MS = 10_000;

  /** One target of one pass. */
  public record Target(String pass, String what, String measured, boolean met) {}

  private ChaosTargets() {}

  static List<Target> of(PassFigures f) {
    List<Target> t = new ArrayList<>();
    t.add(new Target(f.name(), "100% completed", f.completed() + "/" + f.sent(), f.sent() > 0 && f.completed() == f.sent()));
    if (f.fault() == null) return t;
    t.add(new Target(f.name(), "0 outputs differing from the undisturbed run", String.valueOf(f.differing()), f.differing() == 0));
    t.add(new Target(f.name(), "0 duplicate terminal events", String.valueOf(f.duplicateTerminals()), f.duplicateTerminals() == 0));
    t.add(new Target(f.name(), "0 duplicate (requestId, index) pairs", String.valueOf(f.duplicatePairs()), f.duplicatePairs() == 0));
    if (f.fault().isWorkerKill()) {
      t.add(new Target(f.name(), "longest stall <= 15 s", f.longestStallMs() + " ms", f.longestStallMs() <= WORKER_KILL_STALL_MS));
    }
    if (f.fault() == Fault.ROUTER) {
      t.add(new Target(f.name(), "longest stall after the replacement started <= 10 s", f.stallAfterReplacementMs() + " ms",
          f.stallAfterReplacementMs() >= 0 && f.stallAfterReplacementMs() <= ROUTER_STALL_AFTER_REPLACEMENT_MS));
    }
    return t;
  }

  static List<Target> all(List<PassFigures> passes) {
    return passes.stream().flatMap(p -> of(p).stream()).toList();
  }
}
