package dev.sluice.bench.prefix;

import dev.sluice.bench.Medians;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one policy on one workload that the table prints and the targets judge: those of
 * one run ({@link #of}), or over rounds the median of each figure on its own ({@link #median}), so
 * one round the shared machine slowed down does not decide a target.
 *
 * @param rounds runs the figures are taken over
 * @param cold requests that found nothing of their prompt cached
 * @param hitTtftP50Ms TTFT p50 of the cache hits; {@code coldTtftP50Ms} the same of the cold requests (-1: none)
 * @param tpotMs mean time per output token after the first (-1: none)
 * @param busiestOverMean {@link PrefixResult#busiestOverMean()}
 */
public record PrefixFigures(String policy, String workload, int rounds, double completed, double rejected,
    double ttftP50Ms, double ttftP90Ms, double ttftP99Ms, double cold, double hitTtftP50Ms, double coldTtftP50Ms,
    double tpotMs, double tokensPerSecond, double cachedShare, double ofCeiling, double busiestOverMean) {

  public static PrefixFigures of(PrefixResult r) {
    return median(List.of(r));
  }

  /** Each figure's median over the rounds of one policy on one workload. */
  public static PrefixFigures median(List<PrefixResult> rounds) {
    if (rounds.isEmpty()) throw new IllegalArgumentException("no rounds");
    PrefixResult first = rounds.get(0);
    for (PrefixResult r : rounds) {
      if (!r.policy().equals(first.policy()) || !r.workload().equals(first.workload())) {
        throw new IllegalArgumentException("rounds of different runs: " + r.policy() + "/" + r.workload() + " and "
            + first.policy() + "/" + first.workload());
      }
    }
    return new PrefixFigures(first.policy(), first.workload(), rounds.size(), m(rounds, PrefixResult::completed),
        m(rounds, PrefixResult::rejected), m(rounds, r -> r.ttft(50)), m(rounds, r -> r.ttft(90)), m(rounds, r -> r.ttft(99)),
        m(rounds, r -> r.coldTtftMs().length), m(rounds, r -> r.hitTtft(50)), m(rounds, r -> r.coldTtft(50)),
        m(rounds, PrefixResult::tpotMs), m(rounds, PrefixResult::tokensPerSecond), m(rounds, PrefixResult::cachedShare),
        m(rounds, PrefixResult::ofCeiling), m(rounds, PrefixResult::busiestOverMean));
  }

  /** The median of one figure; a figure some round had no data for (-1) counts only where it has. */
  private static double m(List<PrefixResult> rounds, ToDoubleFunction<PrefixResult> figure) {
    List<Double> values = rounds.stream().mapToDouble(figure).filter(v -> v >= 0).boxed().toList();
    return values.isEmpty() ? -1 : Medians.of(values);
  }
}
