package dev.sluice.router.policy;

import java.util.List;
import java.util.random.RandomGenerator;

/** Builds a policy by its configured name. */
public final class RoutingPolicies {
  private RoutingPolicies() {}

  public static final String DEFAULT = CacheAwarePolicy.NAME;

  /** Every policy name, in the order the docs list them. */
  public static final List<String> NAMES = List.of(
      RandomPolicy.NAME, RoundRobinPolicy.NAME, PowerOfTwoPolicy.NAME, LeastLoadPolicy.NAME,
      PrefixHashPolicy.NAME, CacheAwarePolicy.NAME, PrecisePolicy.NAME);

  /**
   * What a policy may need besides its name.
   *
   * @param random randomness of random and power_of_two (seed it for reproducible runs)
   * @param learnedIndex the index cache_aware reads and writes
   * @param reportedIndex the index fed by workers' kv-events, read by precise
   * @param cacheAware parameters of cache_aware and precise
   * @param prefixHashBlocks blocks hashed by prefix_hash
   */
  public record Inputs(RandomGenerator random, PrefixIndex learnedIndex, PrefixIndex reportedIndex,
      CacheAwareParams cacheAware, int prefixHashBlocks) {}

  public static RoutingPolicy create(String name, Inputs in) {
    return switch (name) {
      case RandomPolicy.NAME -> new RandomPolicy(in.random());
      case RoundRobinPolicy.NAME -> new RoundRobinPolicy();
      case PowerOfTwoPolicy.NAME -> new PowerOfTwoPolicy(in.random());
      case LeastLoadPolicy.NAME -> new LeastLoadPolicy();
      case PrefixHashPolicy.NAME -> new PrefixHashPolicy(in.prefixHashBlocks());
      case CacheAwarePolicy.NAME -> new CacheAwarePolicy(in.learnedIndex(), in.cacheAware());
      case PrecisePolicy.NAME -> new PrecisePolicy(in.reportedIndex(), in.cacheAware());
      default -> throw new IllegalArgumentException("unknown routing policy '" + name + "'; known: " + String.join(", ", NAMES));
    };
  }

  /** Whether the named policy needs the kv-events index (and so the kv-events topic). */
  public static boolean needsWorkerReports(String name) {
    return PrecisePolicy.NAME.equals(name);
  }
}
