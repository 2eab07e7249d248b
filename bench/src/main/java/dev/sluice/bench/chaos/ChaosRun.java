package dev.sluice.bench.chaos;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sluice bench chaos}: starts the multi-process deployment ({@link Deployment}), runs an undisturbed
 * pass of greedy streaming requests to record the reference outputs, then one pass per fault, each on the
 * restored deployment, and computes every pass's figures ({@link PassFigures}).
 */
public final class ChaosRun {
  private static final String[] OPENINGS = {"Once upon a time", "The little dog", "Lily wanted to", "One day, a big",
      "Tom and Sue", "The sun was", "A small bird", "In the park"};
  private static final String[] NAMES = {"Ben", "Mia", "a cat", "the king", "Sam", "a frog", "Anna", "the baker",
      "Max", "a bunny", "Lucy", "the old man", "Tim"};

  /**
   * @param externalBootstrap a running broker to use instead of starting one (null = start one; then the broker
   *     fault can restart it)
   */
  public record Settings(int requests, int concurrency, int maxTokens, List<String> faults, int lanes, Path workDir,
      Path model, String externalBootstrap, String namespace) {}

  /** Every pass's figures, the undisturbed pass first. */
  public record Result(List<PassFigures> passes) {
    public boolean allTargetsMet() {
      return ChaosTargets.all(passes).stream().allMatch(ChaosTargets.Target::met);
    }
  }

  private final Settings settings;
  private final PrintWriter out;

  public ChaosRun(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
  }

  public Result run() throws Exception {
    List<Fault> faults = settings.faults().stream().map(Fault::of).toList();
    List<String> prompts = prompts(settings.requests());
    out.printf("starting the deployment in %s: %s, router, 2 workers per stage for 2 stages, 2 ingress%n",
        settings.workDir(), settings.externalBootstrap() == null ? "a broker" : "the broker at " + settings.externalBootstrap());
    out.flush();
    long t0 = System.currentTimeMillis();
    try (Deployment d = new Deployment(new Deployment.Spec(settings.workDir(), settings.model(),
        settings.externalBootstrap(), settings.namespace(), settings.lanes()), out).start();
        ResultsLedger ledger = new ResultsLedger(d.bootstrapServers(), d.namespace())) {
      out.printf("deployment ready after %d ms (logs in %s)%n", System.currentTimeMillis() - t0,
          settings.workDir().resolve("logs"));
      StreamingClient client = new StreamingClient(d::ingressUris, "stories260K", settings.maxTokens());
      LoadPass load = new LoadPass(client, prompts, settings.concurrency(), out);
      Set<String> known = new HashSet<>();
      known.addAll(PassFigures.ids(load.run("warm-up", settings.concurrency(), 0, null)));

      List<PassFigures> figures = new ArrayList<>();
      out.println("pass: undisturbed");
      LoadPass.Result reference = load.run("undisturbed", settings.requests(), 0, null);
      known.addAll(PassFigures.ids(reference));
      Map<Integer, String> expected = new HashMap<>();
      reference.outcomes().stream().filter(o -> o.completed).forEach(o -> expected.putIfAbsent(o.promptIndex, o.text.toString()));
      figures.add(settle(reference, null, expected, ledger, known, d));
      print(figures.get(0));

      FaultInjector injector = new FaultInjector(d);
      for (Fault fault : faults) {
        out.println("pass: " + fault.key + " — " + fault.description);
        out.flush();
        LoadPass.Result pass = load.run(fault.key, settings.requests(), Math.max(1, settings.requests() / 5),
            () -> injector.strike(fault));
        known.addAll(PassFigures.ids(pass));
        figures.add(settle(pass, fault, expected, ledger, known, d));
        print(figures.get(figures.size() - 1));
        out.println("  restoring the deployment ...");
        out.flush();
        injector.restore(fault);
      }
      return new Result(figures);
    }
  }

  /** Waits until the ledger read the results topic to its end (plus 2 s for late duplicates), then counts. */
  private static PassFigures settle(LoadPass.Result pass, Fault fault, Map<Integer, String> expected, ResultsLedger ledger,
      Set<String> known, Deployment d) throws InterruptedException {
    var end = ledger.endOffsets(d.bootstrapServers());
    long deadline = System.currentTimeMillis() + 60_000;
    while (!ledger.caughtUpTo(end) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50); // polling the ledger's position
    }
    long settle = System.currentTimeMillis() + 2_000;
    while (System.currentTimeMillis() < settle) {
      Thread.sleep(50); // late duplicates, if any, arrive within the settle time
    }
    return PassFigures.of(pass, fault, expected, ledger, known);
  }

  private void print(PassFigures f) {
    out.printf("  [%s] done: %d/%d completed, %d differing, %d duplicate terminal events, %d duplicate (requestId, index),"
        + " %d HTTP errors, longest stall %d ms%n", f.name(), f.completed(), f.sent(), f.differing(),
        f.duplicateTerminals(), f.duplicatePairs(), f.httpErrors(), f.longestStallMs());
    out.flush();
  }

  /** {@code n} different prompt texts. */
  static List<String> prompts(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(OPENINGS[i % OPENINGS.length] + " " + NAMES[(i / OPENINGS.length) % NAMES.length]
          + " and".repeat(i / (OPENINGS.length * NAMES.length)));
    }
    return out;
  }
}
