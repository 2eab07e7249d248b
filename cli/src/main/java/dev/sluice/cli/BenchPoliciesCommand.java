package dev.sluice.cli;

import dev.sluice.bench.policy.PolicyComparison;
import dev.sluice.bench.policy.PolicyReport;
import dev.sluice.bench.policy.PolicyReportPage;
import dev.sluice.bench.policy.PolicyTargets;
import dev.sluice.bench.policy.LoadSweep;
import dev.sluice.bench.trace.MooncakeTrace;
import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.bench.simulation.RoutingSimulation.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench policies}: replays a Mooncake-format trace through every routing policy in the
 * router's simulation (no Kafka, no model), prints a table and writes a self-contained HTML report.
 */
@Command(name = "policies", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare routing policies on a request trace (simulated lanes with LRU block caches).",
        "Prints one line per policy and writes an HTML report with charts."})
public final class BenchPoliciesCommand extends PrintingCommand {

  @Mixin TraceOption trace;

  @Option(names = "--lanes", defaultValue = "8", split = ",", paramLabel = "N",
      description = "Lanes; a comma-separated list runs the comparison once per lane count (default: ${DEFAULT-VALUE}).")
  List<Integer> laneCounts;

  @Option(names = "--load", paramLabel = "X", defaultValue = "0.8",
      description = "Offered load without cache hits (lane utilisation); lane speeds are scaled to reach it, keeping the "
          + "ratio of the two speed options. 0 = the speeds as given (default: ${DEFAULT-VALUE}).")
  double load;

  @Option(names = "--sweep", split = ",", paramLabel = "X",
      description = "Offered loads to sweep, e.g. 0.5,0.7,0.8,0.9,0.95: hit rate and latency against load per policy "
          + "in the HTML report.")
  List<Double> sweep;

  @Option(names = "--cache-blocks-per-lane", paramLabel = "N", defaultValue = "1000",
      description = "KV blocks (of the trace's block size, 512 tokens for Mooncake) each lane caches (default: ${DEFAULT-VALUE}).")
  int cacheBlocksPerLane;

  @Option(names = "--prefill-tokens-per-s", paramLabel = "X", defaultValue = "20000",
      description = "Prompt tokens a lane prefills per second (default: ${DEFAULT-VALUE}).")
  double prefillTokensPerSecond;

  @Option(names = "--decode-ms-per-token", paramLabel = "Y", defaultValue = "2",
      description = "Milliseconds per generated token on a lane (default: ${DEFAULT-VALUE}).")
  double decodeMsPerToken;

  @Option(names = "--policies", converter = PolicyName.class, split = ",", paramLabel = "NAME",
      description = "Policies to compare, comma-separated (default: all: random, round_robin, power_of_two, "
          + "least_load, prefix_hash, cache_aware, precise).")
  List<String> policies;

  @Option(names = "--seed", defaultValue = "11", description = "Seed of random and power_of_two (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"--report", "--out"}, paramLabel = "FILE", defaultValue = "bench-report.html",
      description = "HTML report to write (default: ${DEFAULT-VALUE}); --out is its older name.")
  Path out;

  @Override
  int run(PrintWriter w) throws IOException {
    if (policies == null) policies = RoutingPolicies.NAMES;
    validate();
    Path file = trace.file();
    w.println("reading " + file + " ...");
    w.flush();
    MooncakeTrace mooncake = MooncakeTrace.read(file);
    PolicyReport.Workload workload = PolicyReport.Workload.of(mooncake);
    boolean allPass = true;
    for (int lanes : laneCounts) {
      Settings given = new Settings(lanes, cacheBlocksPerLane, prefillTokensPerSecond, decodeMsPerToken, CacheAwareParams.DEFAULTS);
      Settings settings = LoadSweep.atLoad(workload, given, load);
      w.printf(Locale.ROOT, "%,d requests over %.0f s, %,d prompt tokens in blocks of %d; %d lanes, %,d blocks cached "
              + "per lane, prefill %,.0f tokens/s, decode %.2f ms/token%n", workload.requests(), workload.durationMs() / 1000.0,
          workload.promptTokens(), workload.blockTokens(), lanes, cacheBlocksPerLane, settings.prefillTokensPerSecond(),
          settings.decodeMsPerToken());
      PolicyReport report = PolicyComparison.run(workload, mooncake.requests(), settings, policies, seed, LinePrinter.to(w));
      w.printf(Locale.ROOT, "offered load without cache hits: %.0f%% of lane capacity%n%n", 100 * report.offeredLoadWithoutHits());
      w.print(report.table());
      List<PolicyTargets.Target> targets = PolicyTargets.check(report);
      if (!targets.isEmpty()) {
        w.printf(Locale.ROOT, "%ntargets (cache_aware, %d lanes, %.0f%% offered load; set for 80%%):%n", lanes,
            100 * report.offeredLoadWithoutHits());
        targets.forEach(t -> w.println(t.line()));
        allPass &= PolicyTargets.allPass(targets);
      }
      LoadSweep loadSweep = sweep == null ? null : sweep(workload, mooncake, given, w);
      Path page = laneCounts.size() == 1 ? out : withSuffix(out, "-" + lanes + "-lanes");
      PolicyReportPage.write(report, loadSweep, page);
      w.println();
      w.println("report: " + page.toAbsolutePath());
      w.flush();
    }
    return 0;
  }

  private LoadSweep sweep(PolicyReport.Workload workload, MooncakeTrace mooncake, Settings given, PrintWriter w) {
    List<LoadSweep.Point> points = new java.util.ArrayList<>();
    for (double x : sweep) {
      Settings at = LoadSweep.atLoad(workload, given, x);
      PolicyReport r = PolicyComparison.run(workload, mooncake.requests(), at, policies, seed, line -> {});
      points.add(new LoadSweep.Point(x, r));
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "sweep %3.0f%%:", 100 * x));
      r.reports().forEach(p -> line.append(String.format(Locale.ROOT, "  %s hit %.1f%% mean %s p99 %s", p.policy(),
          100 * p.hitRate(), PolicyReport.millis(p.meanLatencyMs()), PolicyReport.millis(p.p99LatencyMs()))));
      w.println(line);
      w.flush();
    }
    return new LoadSweep(points);
  }

  private static Path withSuffix(Path file, String suffix) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String renamed = dot < 0 ? name + suffix : name.substring(0, dot) + suffix + name.substring(dot);
    return file.resolveSibling(renamed);
  }

  private void validate() {
    for (int lanes : laneCounts) {
      if (lanes < 1) throw badUsage("--lanes must be at least 1: " + lanes);
    }
    if (!(load >= 0) || load >= 1.5) throw badUsage("--load must be in [0, 1.5): " + load);
    if (sweep != null) {
      for (double x : sweep) {
        if (!(x > 0 && x < 1.5)) throw badUsage("--sweep loads must be in (0, 1.5): " + x);
      }
    }
    if (cacheBlocksPerLane < 0) {
      throw badUsage("--cache-blocks-per-lane must be 0 or more: " + cacheBlocksPerLane);
    }
    if (!(prefillTokensPerSecond > 0)) {
      throw badUsage("--prefill-tokens-per-s must be above 0: " + prefillTokensPerSecond);
    }
    if (!(decodeMsPerToken >= 0)) {
      throw badUsage("--decode-ms-per-token must be 0 or more: " + decodeMsPerToken);
    }
  }
}
