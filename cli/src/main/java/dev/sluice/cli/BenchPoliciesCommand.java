package dev.sluice.cli;

import dev.sluice.bench.policy.PolicyComparison;
import dev.sluice.bench.policy.PolicyReport;
import dev.sluice.bench.policy.PolicyReportPage;
import dev.sluice.bench.trace.MooncakeTrace;
import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.router.simulation.RoutingSimulation.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench policies}: replays a Mooncake-format trace through every routing policy in the
 * router's simulation (no Kafka, no model), prints a table and writes a self-contained HTML report.
 */
@Command(name = "policies", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare routing policies on a request trace (simulated lanes with LRU block caches).",
        "Prints one line per policy and writes an HTML report with charts."})
public final class BenchPoliciesCommand implements Callable<Integer> {
  static final String SHARED_TRACE = "traces/mooncake_synthetic_trace.jsonl";

  @Spec CommandSpec spec;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "Mooncake-format JSONL trace (default: ../shared/" + SHARED_TRACE + ").")
  Path trace;

  @Option(names = "--lanes", defaultValue = "8", description = "Lanes (default: ${DEFAULT-VALUE}).")
  int lanes;

  @Option(names = "--cache-blocks-per-lane", paramLabel = "N", defaultValue = "1000",
      description = "KV blocks (of the trace's block size, 512 tokens for Mooncake) each lane caches (default: ${DEFAULT-VALUE}).")
  int cacheBlocksPerLane;

  @Option(names = "--prefill-tokens-per-s", paramLabel = "X", defaultValue = "20000",
      description = "Prompt tokens a lane prefills per second (default: ${DEFAULT-VALUE}).")
  double prefillTokensPerSecond;

  @Option(names = "--decode-ms-per-token", paramLabel = "Y", defaultValue = "2",
      description = "Milliseconds per generated token on a lane (default: ${DEFAULT-VALUE}).")
  double decodeMsPerToken;

  @Option(names = "--policies", split = ",", paramLabel = "NAME",
      description = "Policies to compare, comma-separated (default: all: random, round_robin, power_of_two, "
          + "least_load, prefix_hash, cache_aware, precise).")
  List<String> policies;

  @Option(names = "--seed", defaultValue = "11", description = "Seed of random and power_of_two (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "bench-report.html",
      description = "HTML report to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (policies == null) policies = RoutingPolicies.NAMES;
    validate();
    PrintWriter w = spec.commandLine().getOut();
    Path file = traceFile();
    w.println("reading " + file + " ...");
    w.flush();
    MooncakeTrace mooncake = MooncakeTrace.read(file);
    PolicyReport.Workload workload = PolicyReport.Workload.of(mooncake);
    Settings settings = new Settings(lanes, cacheBlocksPerLane, prefillTokensPerSecond, decodeMsPerToken,
        CacheAwareParams.DEFAULTS);
    w.printf(Locale.ROOT, "%,d requests over %.0f s, %,d prompt tokens in blocks of %d; %d lanes, %,d blocks cached "
            + "per lane, prefill %,.0f tokens/s, decode %.2f ms/token%n", workload.requests(), workload.durationMs() / 1000.0,
        workload.promptTokens(), workload.blockTokens(), lanes, cacheBlocksPerLane, prefillTokensPerSecond, decodeMsPerToken);
    PolicyReport report = PolicyComparison.run(workload, mooncake.requests(), settings, policies, seed, line -> {
      w.println(line);
      w.flush();
    });
    w.printf(Locale.ROOT, "offered load without cache hits: %.0f%% of lane capacity%n%n", 100 * report.offeredLoadWithoutHits());
    w.print(report.table());
    PolicyReportPage.write(report, out);
    w.println();
    w.println("report: " + out.toAbsolutePath());
    w.flush();
    return 0;
  }

  private void validate() {
    if (lanes < 1) throw new ParameterException(spec.commandLine(), "--lanes must be at least 1: " + lanes);
    if (cacheBlocksPerLane < 0) {
      throw new ParameterException(spec.commandLine(), "--cache-blocks-per-lane must be 0 or more: " + cacheBlocksPerLane);
    }
    if (!(prefillTokensPerSecond > 0)) {
      throw new ParameterException(spec.commandLine(), "--prefill-tokens-per-s must be above 0: " + prefillTokensPerSecond);
    }
    if (!(decodeMsPerToken >= 0)) {
      throw new ParameterException(spec.commandLine(), "--decode-ms-per-token must be 0 or more: " + decodeMsPerToken);
    }
    for (String policy : policies) {
      if (!RoutingPolicies.NAMES.contains(policy)) {
        throw new ParameterException(spec.commandLine(), "--policies: unknown routing policy '" + policy + "'; known: "
            + String.join(", ", RoutingPolicies.NAMES));
      }
    }
  }

  /** --trace, else the shared Mooncake trace next to the repository. */
  private Path traceFile() {
    if (trace != null) {
      if (!Files.isRegularFile(trace)) throw new ParameterException(spec.commandLine(), "--trace: no such file: " + trace);
      return trace;
    }
    for (String dir : new String[] {System.getProperty("sluice.shared.dir"), "../shared", "../../shared"}) {
      if (dir != null && Files.isRegularFile(Path.of(dir, SHARED_TRACE))) return Path.of(dir, SHARED_TRACE);
    }
    throw new ParameterException(spec.commandLine(), "no trace given and ../shared/" + SHARED_TRACE
        + " not found: pass --trace FILE");
  }
}
