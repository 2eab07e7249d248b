package dev.sluice.bench.chaos;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The faults of {@code sluice bench chaos}, by the name {@code --faults} takes. */
enum Fault {
  WORKER_STAGE0("worker-stage0", "kill -9 of a stage-0 worker (restarted with its id after the pass)"),
  WORKER_LAST("worker-last", "kill -9 of a last-stage worker (restarted with its id after the pass)"),
  ROUTER("router", "kill -9 of the router, a replacement started at once on its data directory"),
  BROKER("broker", "broker stopped (SIGTERM) and started again on the same port and data directory"),
  INGRESS("ingress", "kill -9 of ingress 0; broken streams resume with Last-Event-ID on ingress 1"),
  SCALE("scale", "a stage-0 worker added, then one removed with SIGTERM");

  final String key;
  final String description;

  Fault(String key, String description) {
    this.key = key;
    this.description = description;
  }

  /** A worker kill: its longest stall has the 15 s target. */
  boolean isWorkerKill() {
    return this == WORKER_STAGE0 || this == WORKER_LAST;
  }

  static Fault of(String key) {
    return Arrays.stream(values()).filter(f -> f.key.equals(key.trim().toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + key + "'; known: " + keys()));
  }

  static List<Fault> parse(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).filter(s -> !s.isBlank()).map(Fault::of).toList();
  }

  static String keys() {
    return String.join(",", Arrays.stream(values()).map(f -> f.key).toList());
  }
}
