package dev.sluice.cli;

import dev.sluice.bench.Medians;
import dev.sluice.bench.policy.DecisionRate;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench decisions}: routing decisions per second on one thread, by lane count, with the target. */
@Command(name = "decisions", mixinStandardHelpOptions = true,
    description = "Routing decisions per second on one thread (view from heartbeats and the in-flight table, then the "
        + "policy), at each lane count, over an index of many prefixes.")
public final class BenchDecisionsCommand extends PrintingCommand {
  static final double TARGET_PER_SECOND = 50_000;
  /** "Flat in the lane count": the largest lane count keeps at least this share of the smallest's rate (medians). */
  static final double FLAT_SHARE = 0.8;

  @Option(names = "--policy", converter = PolicyName.class, defaultValue = "cache_aware", description = "Policy (default: ${DEFAULT-VALUE}).")
  String policy;

  @Option(names = "--lanes", split = ",", defaultValue = "8,64,256", description = "Lane counts (default: ${DEFAULT-VALUE}).")
  List<Integer> laneCounts;

  @Option(names = "--prefixes", defaultValue = "10000", description = "Prompt families in the index (default: ${DEFAULT-VALUE}).")
  int prefixes;

  @Option(names = "--blocks", defaultValue = "8", description = "Blocks per prompt (default: ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--decisions", defaultValue = "200000", description = "Timed decisions per lane count (default: ${DEFAULT-VALUE}).")
  int decisions;

  @Option(names = "--rounds", defaultValue = "3", description = "Rounds; each measures every lane count in turn, and "
      + "the medians are compared (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  int run(PrintWriter w) {
    w.printf(Locale.ROOT, "%s, %,d prefixes of %d blocks, one thread, %d rounds of lane counts %s in turn%n", policy,
        prefixes, blocks, rounds, laneCounts);
    List<List<Double>> byLanes = new ArrayList<>();
    laneCounts.forEach(l -> byLanes.add(new ArrayList<>()));
    for (int round = 1; round <= rounds; round++) {
      for (int i = 0; i < laneCounts.size(); i++) {
        double rate = DecisionRate.measure(policy, laneCounts.get(i), prefixes, blocks, decisions);
        byLanes.get(i).add(rate);
        w.printf(Locale.ROOT, "  round %d, %4d lanes: %,10.0f decisions/s  (%.1f us each)%n", round, laneCounts.get(i), rate,
            1e6 / rate);
        w.flush();
      }
    }
    List<Double> rates = byLanes.stream().map(Medians::of).toList();
    for (int i = 0; i < laneCounts.size(); i++) {
      w.printf(Locale.ROOT, "  median %4d lanes: %,10.0f decisions/s  %.2fx of %d lanes%n", laneCounts.get(i), rates.get(i),
          rates.get(i) / rates.get(0), laneCounts.get(0));
    }
    for (int i = 0; i < laneCounts.size(); i++) {
      if (laneCounts.get(i) == 64) {
        w.printf(Locale.ROOT, "  [%s] decisions/s at 64 lanes          %,.0f (target >= %,.0f)%n",
            rates.get(i) >= TARGET_PER_SECOND ? "pass" : "FAIL", rates.get(i), TARGET_PER_SECOND);
      }
    }
    double flat = rates.get(rates.size() - 1) / rates.get(0);
    w.printf(Locale.ROOT, "  [%s] %d lanes against %d lanes          %.2fx (target >= %.2fx: flat in the lane count)%n",
        flat >= FLAT_SHARE ? "pass" : "FAIL", laneCounts.get(laneCounts.size() - 1), laneCounts.get(0), flat, FLAT_SHARE);
    return 0;
  }
}
