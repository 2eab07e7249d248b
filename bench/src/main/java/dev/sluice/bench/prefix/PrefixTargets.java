package dev.sluice.bench.prefix;

import dev.sluice.bench.policy.PolicyTargets.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The real-pipeline targets of cache_aware on one workload (issue 13; set for the GPT-2-small shape,
 * 2 stages × 2 workers, 8 lanes): TTFT p50 at least 5× better than random and within 10% of
 * prefix_hash; cached share at least 0.95 of the workload's ceiling; busiest/mean worker at most 1.2;
 * and on the system-prompt workload TTFT p99 at most half of prefix_hash's. A target whose baseline
 * policy was not run is left out. Over rounds, each figure is its median ({@link PrefixFigures#median}).
 */
public final class PrefixTargets {
  private PrefixTargets() {}

  public static List<Target> check(List<PrefixFigures> results) {
    List<Target> t = new ArrayList<>();
    Optional<PrefixFigures> ca = find(results, "cache_aware");
    if (ca.isEmpty()) return t;
    PrefixFigures c = ca.get();
    find(results, "random").ifPresent(r -> {
      double speedup = c.ttftP50Ms() <= 0 ? 0 : r.ttftP50Ms() / c.ttftP50Ms();
      t.add(new Target("TTFT p50 vs random", String.format(Locale.ROOT, "%.1fx better", speedup), ">= 5x", speedup >= 5));
    });
    find(results, "prefix_hash").ifPresent(p -> {
      double ratio = p.ttftP50Ms() <= 0 ? Double.POSITIVE_INFINITY : c.ttftP50Ms() / p.ttftP50Ms();
      t.add(new Target("TTFT p50 vs prefix_hash", String.format(Locale.ROOT, "%.0f vs %.0f ms", c.ttftP50Ms(), p.ttftP50Ms()),
          "<= 1.10x", ratio <= 1.10));
    });
    t.add(new Target("cached share of the ceiling", String.format(Locale.ROOT, "%.2f", c.ofCeiling()), ">= 0.95",
        c.ofCeiling() >= 0.95));
    t.add(new Target("busiest/mean worker", String.format(Locale.ROOT, "%.2f", c.busiestOverMean()), "<= 1.20",
        c.busiestOverMean() <= 1.20));
    if (c.workload().equals("system-prompt")) {
      find(results, "prefix_hash").ifPresent(p -> t.add(new Target("TTFT p99 vs prefix_hash",
          String.format(Locale.ROOT, "%.0f vs %.0f ms", c.ttftP99Ms(), p.ttftP99Ms()), "<= 0.5x", c.ttftP99Ms() <= 0.5 * p.ttftP99Ms())));
    }
    return t;
  }

  private static Optional<PrefixFigures> find(List<PrefixFigures> results, String policy) {
    return results.stream().filter(r -> r.policy().equals(policy)).findFirst();
  }
}
