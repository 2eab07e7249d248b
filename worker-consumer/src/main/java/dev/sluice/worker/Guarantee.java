package dev.sluice.worker;

/** Delivery guarantee between stages. */
public enum Guarantee {
  /** Commit after the batch's outputs are flushed; duplicates are dropped by position and result index. */
  AT_LEAST_ONCE,
  /** Outputs and input offsets in one Kafka transaction per batch. */
  EXACTLY_ONCE;

  /** Parses the config spelling {@code at-least-once} / {@code exactly-once}. */
  public static Guarantee parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "at-least-once", "at_least_once" -> AT_LEAST_ONCE;
      case "exactly-once", "exactly_once" -> EXACTLY_ONCE;
      default -> throw new IllegalArgumentException("guarantee must be at-least-once or exactly-once: '" + text + "'");
    };
  }
}
