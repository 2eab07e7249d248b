package dev.sluice.cli;

import dev.sluice.bench.chaos.ChaosReport;
import dev.sluice.bench.chaos.ChaosRun;
import dev.sluice.embedded.ModelLocator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice bench chaos}: the multi-process deployment under faults ({@link ChaosRun}). */
@Command(name = "chaos", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Starts the multi-process deployment (broker, router, 2 workers per stage for 2 stages, 2 ingress, "
        + "each a child JVM running its sluice role) on the embedded stories260K, runs an undisturbed pass of greedy "
        + "streaming requests, then one pass per fault, and prints per fault: requests completed, outputs differing "
        + "from the undisturbed pass, duplicate terminal events and (requestId, index) pairs on the results topic, "
        + "HTTP errors and the longest stall; an HTML report draws each pass's completions over time.",
        "Targets: 100%% completed, 0 differing, 0 duplicates under every fault; longest stall <= 15 s for a worker "
            + "kill and <= 10 s after a router replacement starts."})
public final class BenchChaosCommand implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "100", description = "Requests per pass (a fault pass sends more if "
      + "its fault is still running).")
  int requests;

  @Option(names = "--concurrency", defaultValue = "8", description = "Streaming clients in a closed loop.")
  int concurrency;

  @Option(names = "--max-tokens", defaultValue = "48", description = "New tokens per request (greedy).")
  int maxTokens;

  @Option(names = "--faults", defaultValue = "worker-stage0,worker-last,router,broker,ingress,scale", split = ",",
      description = "Faults, one pass each, in the order given: worker-stage0, worker-last, router, broker, ingress, scale.")
  String[] faults;

  @Option(names = "--lanes", defaultValue = "8", description = "Lanes (partitions of each stage topic).")
  int lanes;

  @Option(names = "--work-dir", description = "Broker data, worker caches, router state and every role's log "
      + "(default: a new temporary directory).")
  Path workDir;

  @Option(names = "--bootstrap-servers", paramLabel = "H:P", description = "Use this running broker instead of "
      + "starting one (the broker fault is then skipped).")
  String bootstrapServers;

  @Option(names = "--prefix", paramLabel = "<prefix>", defaultValue = "chaos", description = "Topic prefix.")
  String namespace;

  @Mixin ReportOption report = new ReportOption("target/bench/chaos.html");

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path dir = workDir != null ? workDir : Files.createTempDirectory("sluice-chaos");
    ChaosRun.Settings settings = new ChaosRun.Settings(requests, concurrency, maxTokens, Arrays.asList(faults), lanes,
        dir.toAbsolutePath(), ModelLocator.embeddedModel(), bootstrapServers, namespace);
    PrintWriter out = spec.commandLine().getOut();
    ChaosRun.Result result = new ChaosRun(settings, out).run();
    ChaosReport.print(result, out);
    out.println("report: " + ChaosReport.writeHtml(result, report.report).toAbsolutePath());
    out.flush();
    return result.allTargetsMet() ? 0 : 1;
  }
}
