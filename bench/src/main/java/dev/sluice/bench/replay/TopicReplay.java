package dev.sluice.bench.replay;

import dev.sluice.embedded.LocalPipeline;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.schemas.InferenceRequest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests recorded on a topic ({@link RecordedRequests}) re-sent into a fresh one-machine pipeline
 * per policy, with their original spacing divided by {@code speed} (0 = all at once), each as it was
 * recorded except for a new request id (policy + original id), its creation time, no deadline, and a
 * seed from the original id when it had none (sampling would otherwise follow the new id). Besides the
 * side-by-side numbers it keeps every completion's text, so the policies' outputs can be compared:
 * with greedy requests, routing must not change a single token.
 *
 * @param results one per policy, in order
 * @param outputs policy → original request id → completion text (ERRORs as "ERROR code")
 */
public record TopicReplay(List<PolicyResult> results, Map<String, Map<String, String>> outputs) {

  /** Requests whose output is the same under every policy. */
  public long identicalOutputs() {
    if (outputs.isEmpty()) return 0;
    Map<String, String> first = outputs.values().iterator().next();
    return first.entrySet().stream().filter(e -> outputs.values().stream()
        .allMatch(o -> e.getValue().equals(o.get(e.getKey())))).count();
  }

  public static TopicReplay run(ReplayBenchmark.Settings settings, Path modelDir, RecordedRequests recorded, double speed,
      List<String> policies, PrintWriter out) throws Exception {
    List<PolicyResult> results = new ArrayList<>();
    Map<String, Map<String, String>> outputs = new LinkedHashMap<>();
    for (int i = 0; i < policies.size(); i++) {
      String policy = policies.get(i);
      out.printf("[%d/%d] %s: starting a fresh pipeline ...%n", i + 1, policies.size(), policy);
      out.flush();
      Map<String, String> texts = new ConcurrentHashMap<>();
      PolicyResult r = replay(settings, policy, modelDir, recorded, speed, texts);
      results.add(r);
      outputs.put(policy, new java.util.TreeMap<>(texts));
      out.printf("[%d/%d] %s: ok %d, failed %d, hit rate %.1f%%, TTFT p50 %d ms%n", i + 1, policies.size(), policy, r.ok(),
          r.failed(), 100 * r.hitRate(), r.ttftP50Ms());
      out.flush();
    }
    return new TopicReplay(results, outputs);
  }

  private static PolicyResult replay(ReplayBenchmark.Settings settings, String policy, Path modelDir, RecordedRequests recorded,
      double speed, Map<String, String> texts) throws Exception {
    Path dir = Files.createTempDirectory("sluice-topic-replay-" + policy);
    ReplayStats stats = new ReplayStats(policy);
    try {
      try (ReplayPipeline replay = ReplayPipeline.start(settings, policy, modelDir, dir)) {
        LocalPipeline pipeline = replay.pipeline();
        SluiceClient client = replay.client();
        Map<String, Long> before = ReplayBenchmark.requestsPerWorker(pipeline);
        List<CompletableFuture<?>> all = new ArrayList<>();
        long first = recorded.requests().isEmpty() ? 0 : recorded.requests().get(0).timestampMs();
        long start = System.currentTimeMillis();
        int n = 0;
        for (RecordedRequests.Recorded rec : recorded.requests()) {
          if (speed > 0) {
            long wait = start + (long) ((rec.timestampMs() - first) / speed) - System.currentTimeMillis();
            if (wait > 0) Thread.sleep(wait);
          }
          String original = rec.request().getRequestId() == null || rec.request().getRequestId().isEmpty()
              ? "#" + n : rec.request().getRequestId();
          n++;
          InferenceRequest copy = InferenceRequest.newBuilder(rec.request()).setRequestId(policy + "-" + original)
              .setCreatedAtMs(System.currentTimeMillis()).setDeadlineMs(null).build();
          // Without a seed, sampling derives from the request id; the original id keeps it the same under every policy.
          if (copy.getSeed() == null) copy.setSeed((long) original.hashCode());
          stats.submitted(copy.getCreatedAtMs());
          all.add(client.submit(copy).whenComplete((c, error) -> {
            if (error != null) {
              texts.put(original, "FAILED " + error.getClass().getSimpleName());
              stats.failed();
            } else if (c.isError()) {
              texts.put(original, "ERROR " + c.errorCode());
              stats.failed();
            } else {
              texts.put(original, c.text());
              stats.completed(c.promptTokens(), c.cachedPromptTokens(), c.completionTokens(), c.timeToFirstTokenMs(),
                  c.latencyMs(), c.doneAtMs());
            }
          }));
        }
        for (CompletableFuture<?> f : all) {
          try {
            f.join();
          } catch (RuntimeException e) {
            // counted in whenComplete
          }
        }
        Map<String, Long> served = ReplayBenchmark.requestsPerWorker(pipeline);
        served.replaceAll((worker, c) -> c - before.getOrDefault(worker, 0L));
        return stats.result(served);
      }
    } finally {
      ReplayBenchmark.deleteQuietly(dir);
    }
  }
}
