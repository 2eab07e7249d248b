package dev.sluice.bench.pipeline;

import dev.sluice.bench.JvmActivity;
import dev.sluice.bench.JvmWarmUp;
import dev.sluice.bench.Medians;

import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.RandomModel;
import dev.sluice.model.plan.StagePlanner;
import dev.sluice.model.plan.StepCosts;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.worker.Guarantee;
import dev.sluice.worker.StageWorker;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * A fair comparison of the S-stage pipeline over a real broker with in-process generation: the
 * in-process {@code Generator} runs the whole model with T PyTorch threads, the pipeline runs S
 * stage workers with one thread each (T = S: the same cores). Rounds alternate (in-process,
 * pipeline, …) in one run, so both sides see the same machine; it prints every round, the median
 * ratio, each Kafka hop against raw Kafka measured in the same run, single-request per-token latency
 * of both, the ratio under exactly-once, and a timeline of what each stage did when.
 */
public final class PipelineBenchmark {
  private static final int SINGLE_REQUEST_ROUNDS = 3;
  private static final int MIN_WARMUP_ROUNDS = 2;
  private static final int MAX_SINGLE_REQUEST_WARMUP_ROUNDS = 6;
  /** What to run. */
  public record Options(Path model, String shape, int requests, int promptTokens, int maxTokens, int rounds,
      int warmupRounds, int stages, int threads, int batchingWindowMs, int maxBatchSize, boolean exactlyOnce, Path report,
      List<LayerRange> split) {}

  /** Measured figures (medians over rounds). */
  public record Figures(double ratio, double exactlyOnceRatio, long hopP50Ms, long hopP99Ms, long rawP50Ms,
      long rawP99Ms, double pipelinePerTokenMs, double inProcessPerTokenMs) {}

  private final PrintStream out;

  public PipelineBenchmark(PrintStream out) {
    this.out = out;
  }

  public Figures run(String bootstrap, Options o) throws Exception {
    Path tmp = null;
    Path model = o.model();
    try {
      if (model == null) {
        tmp = Files.createTempDirectory("sluice-pipeline-bench");
        model = tmp.resolve(o.shape());
        out.println("writing a seeded random " + o.shape() + " model to " + model + " ...");
        RandomModel.write(RandomModel.parseShape(o.shape()), model, 1, null);
      }
      ModelConfig config = ModelConfig.read(model);
      List<LayerRange> ranges = o.split() != null ? o.split() : measuredSplit(model, config, o);
      List<int[]> prompts = prompts(config.vocabSize(), o.requests(), o.promptTokens());
      out.printf("workload: %d concurrent greedy requests, %d prompt + %d new tokens; %d stages %s sharing %d PyTorch"
          + " threads, against the whole model in process with %d threads; batching window %d ms, max batch %d%n",
          o.requests(), o.promptTokens(), o.maxTokens(), o.stages(), ranges, o.threads(), o.threads(),
          o.batchingWindowMs(), o.maxBatchSize());
      return compare(bootstrap, model, ranges, prompts, o);
    } finally {
      if (tmp != null) {
        try (var files = Files.walk(tmp)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /**
   * Stages of equal step time on this machine: one layer's and the head's decode step measured at the
   * micro-batch a stage will run (requests ÷ stages) and the mean context of a round.
   */
  private List<LayerRange> measuredSplit(Path model, ModelConfig config, Options o) {
    int batch = (o.requests() + o.stages() - 1) / o.stages();
    StepCosts costs = StepCosts.measure(model, batch, o.promptTokens() + o.maxTokens() / 2);
    List<LayerRange> ranges = StagePlanner.balanced(config, o.stages(), costs);
    out.printf(java.util.Locale.ROOT, "split by measured step time at batch %d: a layer %.1f ms, the head %.1f ms -> %s"
        + " (by multiply-adds it would be %s)%n", batch, costs.layerMs(), costs.headMs(), ranges,
        StagePlanner.balanced(config, o.stages()));
    return ranges;
  }

  private Figures compare(String bootstrap, Path model, List<LayerRange> ranges, List<int[]> prompts, Options o)
      throws Exception {
    int lanes = Math.max(1, prompts.size());
    try (InProcessRig inProcess = new InProcessRig(model, o.threads());
        PipelineRig pipeline = new PipelineRig(bootstrap, model, ranges, lanes, o, Guarantee.AT_LEAST_ONCE)) {
      // The ping runs through the warm-up too: its clients' code is compiled by then, and every round of
      // either side shares the machine with it alike.
      Histogram idle;
      Histogram raw = new Histogram(3_600_000L, 3);
      List<Double> ratios = new ArrayList<>();
      List<Double> ip = new ArrayList<>();
      List<Double> pl = new ArrayList<>();
      List<long[]> windows = new ArrayList<>();
      try (RawKafkaLatency.Pinger ping = new RawKafkaLatency.Pinger(bootstrap,
          pipeline.topics().kvEvents().name() + "-ping", 10, 3 * 1024)) {
        warmUp(inProcess, pipeline, prompts, o);
        idle = ping.next(200);
        for (int r = 1; r <= o.rounds(); r++) {
          JvmActivity start = JvmActivity.now();
          double a = inProcess.tokensPerSecond(prompts, o.maxTokens(), "ip" + r + "-");
          JvmActivity middle = JvmActivity.now();
          ping.recordInto(raw);
          double b = tokensPerSecond(pipeline.run(prompts, o.maxTokens(), "round" + r + "-"));
          ping.recordInto(null);
          JvmActivity end = JvmActivity.now();
          JvmActivity jitIp = middle.since(start);
          JvmActivity jitPl = end.since(middle);
          windows.add(new long[] {middle.wallMs(), end.wallMs()});
          ip.add(a);
          pl.add(b);
          ratios.add(b / a);
          out.printf(Locale.ROOT, "round %d: in-process %6.1f tok/s, pipeline %6.1f tok/s, ratio %.2f"
              + "   (JVM compiler / GC: in-process %.0f%% / %d ms, pipeline %.0f%% / %d ms of the cores)%n", r, a, b,
              b / a, 100 * jitIp.compileShare(), jitIp.gcMs(), 100 * jitPl.compileShare(), jitPl.gcMs());
        }
      }
      out.printf("raw Kafka produce->consume (3 KB) with the machine idle: p50 %d ms, p99 %d ms (%d records)%n",
          idle.getValueAtPercentile(50), idle.getValueAtPercentile(99), idle.getTotalCount());
      StageTimeline timeline = StageTimeline.of(pipeline.loopBacks("round"), ranges.size(), windows);
      printStages(pipeline.workers());
      double[] perToken = singleRequest(inProcess, pipeline, prompts.get(0), o.maxTokens(), ranges.size());
      double pipelinePerToken = perToken[0];
      double inProcessPerToken = perToken[1];
      double eosRatio = o.exactlyOnce() ? exactlyOnce(bootstrap, model, ranges, prompts, o, inProcess) : Double.NaN;
      Figures f = new Figures(Medians.of(ratios), eosRatio, worst(timeline.hops, 50), worst(timeline.hops, 99),
          raw.getValueAtPercentile(50), raw.getValueAtPercentile(99), pipelinePerToken, inProcessPerToken);
      new PipelineReport(out).print(o, f, ip, pl, ratios, timeline, raw);
      if (o.report() != null) {
        new PipelineReport(out).write(o.report(), o, f, ratios, timeline);
      }
      return f;
    }
  }

  /**
   * One request alone, after uncounted pairs of it until the JIT compiler settles, alternating sides
   * for {@value #SINGLE_REQUEST_ROUNDS} rounds; prints each
   * round's per-token time, where the pipeline's went ({@link TokenPath}) and how long each side's
   * compute threads waited for a core meanwhile. Returns the medians {pipeline, in-process}.
   */
  private double[] singleRequest(InProcessRig inProcess, PipelineRig pipeline, int[] prompt, int maxTokens, int stages)
      throws Exception {
    List<Double> inProcessPerTokens = new ArrayList<>();
    List<Double> pipelinePerTokens = new ArrayList<>();
    // One request alone runs code the batched rounds did not (one-row shapes): without its own
    // warm-up the JIT compiler ran 1.7 s on one core during the 12 s of these rounds.
    JvmWarmUp.untilCompilerSettles(i -> {
      inProcess.perToken(prompt, maxTokens);
      pipeline.run(List.of(prompt), maxTokens, "warm-single" + i + "-");
    }, 1, MAX_SINGLE_REQUEST_WARMUP_ROUNDS, new PrintWriter(out, true));
    for (int r = 1; r <= SINGLE_REQUEST_ROUNDS; r++) { // alternating, medians: one run swings on a shared machine
      JvmActivity start = JvmActivity.now();
      InProcessRig.PerToken ip = inProcess.perToken(prompt, maxTokens);
      JvmActivity middle = JvmActivity.now();
      long waitedBefore = pipeline.workers().stream().mapToLong(StageWorker::coreWaitMillis).sum();
      List<ResultEvent> done = pipeline.run(List.of(prompt), maxTokens, "single" + r + "-");
      long waited = pipeline.workers().stream().mapToLong(StageWorker::coreWaitMillis).sum() - waitedBefore;
      JvmActivity end = JvmActivity.now();
      double pl = perTokenMillis(done);
      int after = Math.max(1, done.get(0).getUsage().getCompletionTokens() - 1);
      inProcessPerTokens.add(ip.millis());
      pipelinePerTokens.add(pl);
      out.printf(Locale.ROOT, "single request round %d, per token: pipeline %.1f ms (compute threads waited %.1f ms for"
          + " a core), in-process %.1f ms (waited %.1f)   (JVM compiler: in-process %.0f%%, pipeline %.0f%% of the"
          + " cores)%n", r, pl, waited / (double) after, ip.millis(), ip.coreWaitMillis(),
          100 * middle.since(start).compileShare(), 100 * end.since(middle).compileShare());
    }
    Map<String, List<StageWork>> paths = LoopBacks.byRequest(pipeline.loopBacks("single"), stages); // one read, all rounds
    for (int r = 1; r <= SINGLE_REQUEST_ROUNDS; r++) {
      out.printf("    pipeline, round %d: %s%n", r, TokenPath.of(paths.getOrDefault("single" + r + "-0", List.of()), stages)
          .describe());
    }
    return new double[] {Medians.of(pipelinePerTokens), Medians.of(inProcessPerTokens)};
  }

  /**
   * Pairs of rounds (one of each side), not counted, until the JVM's compiler settles
   * ({@link JvmWarmUp}): at least {@link #MIN_WARMUP_ROUNDS}, at most {@code --warmup-rounds}.
   */
  private void warmUp(InProcessRig inProcess, PipelineRig pipeline, List<int[]> prompts, Options o) throws Exception {
    PrintWriter w = new PrintWriter(out, true);
    JvmWarmUp.untilCompilerSettles(i -> {
      inProcess.tokensPerSecond(prompts, o.maxTokens(), "warm" + i + "-");
      pipeline.run(prompts, o.maxTokens(), "warm" + i + "-");
    }, MIN_WARMUP_ROUNDS, o.warmupRounds(), w);
  }

  /** Rounds of the same workload with every stage in --guarantee exactly-once, alternating with in-process. */
  private double exactlyOnce(String bootstrap, Path model, List<LayerRange> ranges, List<int[]> prompts, Options o,
      InProcessRig inProcess) throws Exception {
    try (PipelineRig eos = new PipelineRig(bootstrap, model, ranges, prompts.size(), o, Guarantee.EXACTLY_ONCE)) {
      eos.run(prompts, o.maxTokens(), "warm-");
      List<Double> ratios = new ArrayList<>();
      for (int r = 1; r <= o.rounds(); r++) {
        double a = inProcess.tokensPerSecond(prompts, o.maxTokens(), "eip" + r + "-");
        double b = tokensPerSecond(eos.run(prompts, o.maxTokens(), "eos" + r + "-"));
        ratios.add(b / a);
        out.printf("exactly-once round %d: in-process %6.1f tok/s, pipeline %6.1f tok/s, ratio %.2f%n", r, a, b, b / a);
      }
      return Medians.of(ratios);
    }
  }

  private void printStages(List<StageWorker> workers) {
    for (StageWorker w : workers) {
      out.printf("stage %d: %d steps, mean %.1f records per step, %.1f s of compute%n", w.settings().stage(),
          w.batches(), w.batchedRecords() / (double) Math.max(1, w.batches()), w.computeMillis() / 1000.0);
    }
  }

  private static double tokensPerSecond(List<ResultEvent> done) {
    long tokens = done.stream().mapToLong(d -> d.getUsage().getCompletionTokens()).sum();
    long first = done.stream().mapToLong(d -> d.getTimings().getCreatedAtMs()).min().orElse(0);
    long last = done.stream().mapToLong(ResultEvent::getAtMs).max().orElse(1);
    return tokens * 1000.0 / Math.max(1, last - first);
  }

  /** Milliseconds per token after the first, of one request alone. */
  private static double perTokenMillis(List<ResultEvent> done) {
    ResultEvent d = done.get(0);
    int n = d.getUsage().getCompletionTokens();
    return (d.getAtMs() - d.getTimings().getFirstTokenAtMs()) / (double) Math.max(1, n - 1);
  }

  private static long worst(Histogram[] hops, double percentile) {
    long worst = 0;
    for (Histogram h : hops) {
      worst = Math.max(worst, h.getValueAtPercentile(percentile));
    }
    return worst;
  }


  private static List<int[]> prompts(int vocab, int requests, int promptTokens) {
    SplittableRandom random = new SplittableRandom(42);
    List<int[]> prompts = new ArrayList<>();
    for (int r = 0; r < requests; r++) {
      int[] p = new int[promptTokens];
      p[0] = 1;
      for (int i = 1; i < p.length; i++) {
        p[i] = 3 + random.nextInt(vocab - 3);
      }
      prompts.add(p);
    }
    return prompts;
  }
}
