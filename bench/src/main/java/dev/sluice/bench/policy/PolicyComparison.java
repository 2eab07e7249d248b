package dev.sluice.bench.policy;

import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.bench.simulation.RoutingSimulation;
import dev.sluice.bench.simulation.RoutingSimulation.Report;
import dev.sluice.bench.simulation.RoutingSimulation.Request;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** Replays one trace through each routing policy with the router's own simulation, policy by policy. */
public final class PolicyComparison {
  private PolicyComparison() {}

  /**
   * @param policies policy names (see {@link RoutingPolicies#NAMES}), in the order to report them
   * @param progress receives one line before and one after each policy
   * @throws IllegalArgumentException when a name is not a policy (before anything runs)
   */
  public static PolicyReport run(PolicyReport.Workload workload, List<Request> trace, Settings settings,
      List<String> policies, long seed, Consumer<String> progress) {
    for (String name : policies) {
      if (!RoutingPolicies.NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown routing policy '" + name + "'; known: "
            + String.join(", ", RoutingPolicies.NAMES));
      }
    }
    List<Report> reports = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      String name = policies.get(i);
      progress.accept(String.format(Locale.ROOT, "[%d/%d] %s: replaying %,d requests on %d lanes ...", i + 1,
          policies.size(), name, trace.size(), settings.lanes()));
      long start = System.nanoTime();
      Report report = RoutingSimulation.run(name, trace, settings, seed);
      reports.add(report);
      progress.accept(String.format(Locale.ROOT, "[%d/%d] %s: hit rate %s in %.1f s", i + 1, policies.size(), name,
          PolicyReport.percent(report.hitRate()), (System.nanoTime() - start) / 1e9));
    }
    return new PolicyReport(workload, settings, seed, reports);
  }
}
