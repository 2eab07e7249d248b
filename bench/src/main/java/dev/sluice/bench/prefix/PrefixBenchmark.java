package dev.sluice.bench.prefix;

import dev.sluice.bench.JvmWarmUp;
import dev.sluice.bench.replay.ReplayBenchmark;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.policy.RoutingDecision;
import dev.sluice.results.client.SluiceClientSettings;
import dev.sluice.schemas.InferenceRequest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Runs one {@link PrefixWorkload} under one policy on a fresh one-machine pipeline (its own broker,
 * empty caches and routing index): warm-up requests with unrelated prompts, then the workload closed
 * loop at a concurrency or open loop at a rate, collected into a {@link PrefixResult}.
 */
public final class PrefixBenchmark {
  private static final String PREFIX = "sluice";

  /**
   * @param rate requests per second for an open loop; null = closed loop at {@code concurrency}
   * @param warmup unmeasured requests before the workload
   * @param routers router instances sharing the routing tasks
   * @param restartRouter restart router 0 half way (once the first half has ended): does it keep its index?
   */
  public record Settings(int stages, int workersPerStage, int lanes, int maxTokens, int concurrency, Double rate,
      int warmup, int timeoutSeconds, int routers, boolean restartRouter) {
    public Settings withRouters(int n, boolean restart) {
      return new Settings(stages, workersPerStage, lanes, maxTokens, concurrency, rate, warmup, timeoutSeconds, n, restart);
    }
  }

  private final Settings settings;
  private final PrintWriter out;
  private final String bootstrapServers;

  /** Each run on its own embedded broker. */
  public PrefixBenchmark(Settings settings, PrintWriter out) {
    this(settings, out, null);
  }

  /** Each run on topics of its own (a fresh topic prefix) on the cluster at {@code bootstrapServers}; null = own broker. */
  public PrefixBenchmark(Settings settings, PrintWriter out, String bootstrapServers) {
    this.settings = settings;
    this.out = out;
    this.bootstrapServers = bootstrapServers;
  }

  public PrefixResult run(String policy, PrefixWorkload workload, double ceiling, Path modelDir) throws Exception {
    long t0 = System.nanoTime();
    return onFreshPipeline(policy, settings.routers(), modelDir, (pipeline, client) -> {
      PrefixStats stats = new PrefixStats();
      warmUp(client, workload, policy);
      Map<String, Long> before = ReplayBenchmark.requestsPerWorker(pipeline);
      Map<String, Long> decidedBefore = decisions(policy);
      out.printf(Locale.ROOT, "  %s / %s: pipeline ready in %.0f s, sending %d requests%n", workload.name(), policy,
          (System.nanoTime() - t0) / 1e9, workload.prompts().size());
      out.flush();
      send(client, workload, policy, stats, pipeline, settings.restartRouter());
      Map<String, Long> served = ReplayBenchmark.requestsPerWorker(pipeline);
      served.replaceAll((worker, n) -> n - before.getOrDefault(worker, 0L));
      Map<String, Long> decided = decisions(policy);
      decided.replaceAll((outcome, n) -> n - decidedBefore.getOrDefault(outcome, 0L));
      decided.values().removeIf(n -> n == 0);
      PrefixResult r = stats.result(policy, workload.name(), ceiling, served, decided);
      out.printf(Locale.ROOT, "  %s / %s%s: TTFT p50 %.0f ms, p99 %.0f ms (cache hits p50 %.0f ms; %d cold, p50 %.0f ms),"
          + " cached %.1f%% (%.2f of ceiling), %d rejected; decisions: %s%n", workload.name(), policy, variant(), r.ttft(50),
          r.ttft(99), r.hitTtft(50), r.coldTtftMs().length, r.coldTtft(50), 100 * r.cachedShare(), r.ofCeiling(), r.rejected(),
          r.decisionsText());
      out.flush();
      return r;
    });
  }

  /**
   * Warms the JVM up before the first policy, so that it does not run with a busy compiler
   * ({@link JvmWarmUp}): one throwaway pipeline (policy random, so every worker takes part) runs the
   * workload again and again, each round with other token ids (the same prefix sharing, nothing
   * cached from the round before), until the compiler settles or {@code maxRounds} rounds.
   */
  public void warmUpJvm(PrefixWorkload workload, int vocab, Path modelDir, int maxRounds) throws Exception {
    if (maxRounds <= 0) return;
    onFreshPipeline("random", 1, modelDir, (pipeline, client) -> JvmWarmUp.untilCompilerSettles(i -> send(client,
        workload.shifted(7919 * i, vocab), "jvm-warmup" + i, new PrefixStats(), pipeline, false), 1, maxRounds, out));
  }

  /**
   * The lane choices the in-process routers have counted for {@code policy} so far, by outcome (from
   * their metrics, {@code sluice_router_decisions_total}): the difference around a run is the run's.
   */
  private static Map<String, Long> decisions(String policy) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (RoutingDecision.Outcome outcome : RoutingDecision.Outcome.values()) {
      counts.put(outcome.label(), (long) RouterMetrics.defaultRegistry().decisions(policy, outcome.label()));
    }
    return counts;
  }

  /** What runs on a pipeline with its results client. */
  @FunctionalInterface
  private interface OnPipeline<T> {
    T run(LocalPipeline pipeline, SluiceClient client) throws Exception;
  }

  /** A fresh one-machine pipeline (its own data dir, empty caches and index) under {@code policy}, for {@code work}. */
  private <T> T onFreshPipeline(String policy, int routers, Path modelDir, OnPipeline<T> work) throws Exception {
    Path dir = Files.createTempDirectory("sluice-prefix-" + policy);
    try {
      String namespace = bootstrapServers == null ? PREFIX : PREFIX + "-" + dir.getFileName();
      PipelineSpec ps = new PipelineSpec(0, settings.stages(), settings.workersPerStage(), settings.lanes(), modelDir, policy,
          bootstrapServers, 0, dir, namespace, routers);
      try (LocalPipeline pipeline = LocalPipeline.start(ps, line -> {}, Duration.ofMinutes(3));
           SluiceClient client = new SluiceClient(SluiceClientSettings.of(pipeline.bootstrapServers(), namespace)
               .withGroupId(namespace + ".bench-prefix").withTimeout(Duration.ofSeconds(settings.timeoutSeconds())))) {
        if (!client.awaitReady(Duration.ofSeconds(60))) throw new IllegalStateException("the results client got no reply partition in 60 s");
        return work.run(pipeline, client);
      }
    } finally {
      ReplayBenchmark.deleteQuietly(dir);
    }
  }

  /** How this run's routers differ from one router: for the progress lines. */
  private String variant() {
    return (settings.routers() > 1 ? " (" + settings.routers() + " routers)" : "")
        + (settings.restartRouter() ? " (router restarted half way)" : "");
  }

  /**
   * Closed loop (a permit per request in flight) or open loop (evenly spaced); returns once all have
   * ended. With {@code restartRouter}, the first half ends, router 0 restarts, then the second half.
   */
  private void send(SluiceClient client, PrefixWorkload workload, String policy, PrefixStats stats, LocalPipeline pipeline,
      boolean restartRouter) throws InterruptedException {
    Double rate = settings.rate();
    Semaphore permits = new Semaphore(rate == null ? settings.concurrency() : Integer.MAX_VALUE);
    List<CompletableFuture<?>> all = new ArrayList<>();
    long start = System.nanoTime();
    int half = workload.prompts().size() / 2;
    for (int i = 0; i < workload.prompts().size(); i++) {
      if (restartRouter && i == half) {
        joinAll(all);
        long t = System.nanoTime();
        pipeline.restartRouter(0, Duration.ofMinutes(1));
        out.printf(Locale.ROOT, "  router 0 restarted after %d of %d requests; routing again %.1f s later%n", half,
            workload.prompts().size(), (System.nanoTime() - t) / 1e9);
        out.flush();
      }
      if (rate != null) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      permits.acquire();
      InferenceRequest request = request(workload.name() + "-" + policy + "-" + i, workload.prompts().get(i));
      stats.submitted(request.getCreatedAtMs());
      all.add(client.submit(request).whenComplete((c, error) -> {
        if (error != null || c.isError()) stats.rejected();
        else stats.completed(c.promptTokens(), c.cachedPromptTokens(), c.completionTokens(), c.timeToFirstTokenMs(),
            c.latencyMs(), c.doneAtMs());
        permits.release();
      }));
    }
    joinAll(all);
  }

  private static void joinAll(List<CompletableFuture<?>> all) {
    for (CompletableFuture<?> f : all) {
      try {
        f.join();
      } catch (RuntimeException e) {
        // counted as rejected in whenComplete
      }
    }
  }

  /** Unrelated prompts of the workload's size, all at once, not counted: the JVM and the stages warm up. */
  private void warmUp(SluiceClient client, PrefixWorkload workload, String policy) {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    int length = workload.prompts().get(0).length;
    for (int i = 0; i < settings.warmup(); i++) {
      int[] tokens = new int[length];
      for (int t = 0; t < length; t++) tokens[t] = 3 + Math.floorMod(i * 7919 + t * 104_729 + 17, 200);
      pending.add(client.submit(request("warmup-" + policy + "-" + i, tokens)));
    }
    for (CompletableFuture<?> f : pending) {
      try {
        f.join();
      } catch (RuntimeException e) {
        // a failed warm-up request changes nothing measured
      }
    }
  }

  private InferenceRequest request(String id, int[] tokens) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setPromptTokens(Arrays.stream(tokens).boxed().toList())
        .setMaxTokens(settings.maxTokens())
        .setTemperature(0f)
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
  }

}
