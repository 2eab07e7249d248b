package dev.sluice.bench.prefix;

import dev.sluice.bench.policy.PolicyTargets.Target;
import java.util.List;
import java.util.Locale;

/**
 * Router replicas lose nothing (issue 13): on the same workload and policy, two router instances
 * (sharing the routing tasks, each prefix family owned by one task and its part of the index) and one
 * router restarted half way (its index restored from the changelog) reach the cached share of one
 * router, within 2 points.
 */
public final class RouterReplicaTargets {
  /** Largest difference in cached share, in points (percent of prompt tokens). */
  public static final double MAX_POINTS = 2.0;

  private RouterReplicaTargets() {}

  public static List<Target> check(PrefixResult one, PrefixResult two, PrefixResult restarted) {
    return List.of(target("two routers vs one", two, one), target("router restarted half way vs not", restarted, one));
  }

  private static Target target(String name, PrefixResult r, PrefixResult one) {
    double points = 100 * Math.abs(r.cachedShare() - one.cachedShare());
    return new Target(name + ", cached share", String.format(Locale.ROOT, "%.1f%% vs %.1f%% (%.1f points)",
        100 * r.cachedShare(), 100 * one.cachedShare(), points), "<= " + MAX_POINTS + " points", points <= MAX_POINTS);
  }
}
