package dev.sluice.router.policy;

/**
 * The {@link CacheAwarePolicy} algorithm over an index fed by the workers' kv-events instead of by
 * the router's own choices: a lane counts as holding a block only after a worker reported storing
 * it, and stops counting once a worker reports evicting it. The policy never writes the index.
 *
 * <p>Until the first kv-events of a new family arrive, ties go to the family's home lane (ring order
 * from its hash), so a burst of one new prefix still lands on one lane.
 */
public final class PrecisePolicy extends CacheAwarePolicy {
  public static final String NAME = "precise";

  /** @param workerReportedIndex the index kept from kv-events (read only here) */
  public PrecisePolicy(PrefixIndex workerReportedIndex, CacheAwareParams params) {
    super(workerReportedIndex, params, false);
  }

  @Override
  public String name() {
    return NAME;
  }
}
