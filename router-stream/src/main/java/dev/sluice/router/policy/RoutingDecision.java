package dev.sluice.router.policy;

/**
 * A policy's choice.
 *
 * @param lane the chosen lane
 * @param outcome why (a metric label)
 * @param matchedBlocks prompt blocks the policy believes are cached on the chosen lane
 */
public record RoutingDecision(int lane, Outcome outcome, int matchedBlocks) {

  public enum Outcome {
    /** The lane that already holds the longest prefix of the prompt was chosen. */
    AFFINITY_HIT,
    /** A lane holds a prefix of the prompt but was over its load bound, so another lane won. */
    LOAD_OVERRIDE,
    /** No lane holds enough of the prompt to prefer it (none, or under the policy's least share); placed by load. */
    NEW_PREFIX,
    /** The lane the prefix hashes to was not eligible; the next eligible lane was taken. */
    FALLBACK,
    /** A load-only policy (random, round_robin, power_of_two, least_load) chose. */
    LOAD_BALANCED;

    /** Lower-case label, e.g. {@code affinity_hit}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static RoutingDecision balanced(int lane) {
    return new RoutingDecision(lane, Outcome.LOAD_BALANCED, 0);
  }
}
