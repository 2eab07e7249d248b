package dev.sluice.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Uncounted rounds until the JVM's JIT compiler has settled: it takes under {@link #SETTLED} of the
 * cores over a round. A benchmark that starts a broker and pipelines in its own JVM otherwise
 * measures its first minutes with a compiler busy on the broker's and the clients' code (a third of
 * the cores in the first round, a fifth after two, in `bench pipeline`) — which a serving process pays
 * once, and which lands on whatever side or policy runs first.
 */
public final class JvmWarmUp {
  /** The compiler's share of the cores over a round under which the JVM counts as warm. */
  public static final double SETTLED = 0.03;

  /** One uncounted round. */
  @FunctionalInterface
  public interface Round {
    void run(int index) throws Exception;
  }

  private JvmWarmUp() {}

  /**
   * Runs {@code round} at least {@code min} and at most {@code max} times, until the compiler took
   * under {@link #SETTLED} of the machine's cores over one; prints each round's share.
   *
   * @return the rounds run
   */
  public static int untilCompilerSettles(Round round, int min, int max, PrintWriter out) throws Exception {
    out.printf(Locale.ROOT, "warm-up, not counted: until the JVM compiler takes under %.0f%% of the cores over a round"
        + " (%d to %d rounds) ...%n", 100 * SETTLED, min, max);
    out.flush();
    for (int i = 1; i <= max; i++) {
      JvmActivity start = JvmActivity.now();
      round.run(i);
      double share = JvmActivity.now().since(start).compileShare();
      out.printf(Locale.ROOT, "  warm-up %d: the JVM compiler took %.0f%% of the cores%n", i, 100 * share);
      out.flush();
      if (i >= min && share < SETTLED) {
        return i;
      }
    }
    out.printf("  warm-up: the compiler had not settled after %d rounds; measuring anyway%n", max);
    out.flush();
    return max;
  }
}
