package dev.sluice.bench.policy;

import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.util.List;

/**
 * Lane speed for a chosen offered load, and the policy reports at several loads. Offered load is the
 * lanes' utilisation if nothing were cached: (prompt tokens / prefill speed + output tokens × decode
 * time) / (lanes × trace duration). A load is reached by scaling both speeds by one factor, which keeps
 * the ratio of prefill to decode cost that the options give.
 *
 * @param points one report of every policy per offered load, in the order run
 */
public record LoadSweep(List<Point> points) {

  /** Every policy's report at one offered load. */
  public record Point(double load, PolicyReport report) {}

  public LoadSweep {
    points = List.copyOf(points);
  }

  /** {@code settings} with lane speeds scaled so the workload offers {@code load} (0 or less: unchanged). */
  public static Settings atLoad(PolicyReport.Workload workload, Settings settings, double load) {
    if (!(load > 0)) return settings;
    double offered = offered(workload, settings);
    if (offered == 0) return settings;
    double factor = offered / load; // > 1: lanes must be faster
    return new Settings(settings.lanes(), settings.cacheBlocksPerLane(), settings.prefillTokensPerSecond() * factor,
        settings.decodeMsPerToken() / factor, settings.cacheAware());
  }

  static double offered(PolicyReport.Workload w, Settings s) {
    double serviceMs = w.promptTokens() * 1000.0 / s.prefillTokensPerSecond() + w.outputTokens() * s.decodeMsPerToken();
    return w.durationMs() == 0 ? 0 : serviceMs / ((double) s.lanes() * w.durationMs());
  }
}
