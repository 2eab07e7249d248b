package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts what {@code up} starts, sends real requests over the OpenAI-compatible API (some sharing a
 * long prefix, so the block cache shows), prints each completion with cached tokens and latency, exits.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start everything embedded, send real requests (some sharing a long prefix), print completions, exit.")
public final class DemoCommand implements Callable<Integer> {
  static final String SHARED_PREFIX = "Once upon a time, there was a little girl named Lily. She loved to play outside"
      + " in the park with her friends. One day, Lily saw a big red ball under a tree. She ran to the tree and picked"
      + " up the ball. Her friend Tom came to play with her. They threw the ball high in the sky and laughed.";

  @Spec CommandSpec spec;

  @Mixin PipelineShapeOptions pipeline = new PipelineShapeOptions(2, 1, 8);

  @Mixin EmbeddedModelOption model;

  @Option(names = "--policy", converter = PolicyName.class, defaultValue = "cache_aware", description = "Routing policy (default: ${DEFAULT-VALUE}).")
  String policy;

  @Option(names = "--max-tokens", defaultValue = "48", description = "Tokens per completion (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--data-dir", description = "Where to keep broker data and caches (default: a fresh temporary directory).")
  Path dataDir;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("sluice-demo");
    Path modelDir = model.model == null ? null : ModelReferences.resolve(model.model, LinePrinter.to(out, "  "));
    PipelineSpec ps = new PipelineSpec(0, pipeline.stages, pipeline.workersPerStage, pipeline.lanes, modelDir, policy, null, 0, dir,
        "sluice");
    try (LocalPipeline pipeline = LocalPipeline.start(ps, LinePrinter.to(out, "  "), Duration.ofMinutes(3))) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + pipeline.port();
      out.println();
      out.println("Sending requests to " + base + "/v1/completions (model " + pipeline.modelName() + ", greedy, max_tokens " + maxTokens + ")");
      out.println();

      int failures = 0;
      // 1. One cold request that opens with the shared prefix: it fills the block cache.
      failures += report(out, "cold", send(http, base, pipeline.modelName(), SHARED_PREFIX + " Then", 0).join());
      // 2. Three concurrent requests that share the prefix (and meet the cache), and one that does not.
      List<String> labels = List.of("shares prefix", "shares prefix", "shares prefix", "unrelated");
      List<CompletableFuture<Outcome>> batch = new ArrayList<>();
      batch.add(send(http, base, pipeline.modelName(), SHARED_PREFIX + " Lily said", 1));
      batch.add(send(http, base, pipeline.modelName(), SHARED_PREFIX + " The dog", 2));
      batch.add(send(http, base, pipeline.modelName(), SHARED_PREFIX + " At night", 3));
      batch.add(send(http, base, pipeline.modelName(), "Tom had a small boat. He", 4));
      for (int i = 0; i < batch.size(); i++) failures += report(out, labels.get(i), batch.get(i).join());

      out.println(failures == 0 ? "Demo finished: every request completed." : "Demo finished with " + failures + " failed request(s).");
      out.flush();
      return failures == 0 ? 0 : 1;
    }
  }

  record Outcome(int status, JsonNode body, long millis) {}

  private CompletableFuture<Outcome> send(HttpClient http, String base, String model, String prompt, int seed) {
    ObjectNode body = json.createObjectNode();
    body.put("model", model);
    body.put("prompt", prompt);
    body.put("max_tokens", maxTokens);
    body.put("temperature", 0);
    body.put("seed", seed);
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
        .timeout(Duration.ofMinutes(2))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    long t0 = System.nanoTime();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      try {
        return new Outcome(r.statusCode(), json.readTree(r.body()), (System.nanoTime() - t0) / 1_000_000);
      } catch (Exception e) {
        throw new IllegalStateException("unreadable response: " + r.body(), e);
      }
    });
  }

  private int report(PrintWriter out, String label, Outcome o) {
    if (o.status() != 200) {
      out.printf("[%s] HTTP %d: %s%n%n", label, o.status(), o.body());
      return 1;
    }
    JsonNode usage = o.body().path("usage");
    String text = o.body().path("choices").path(0).path("text").asText();
    out.printf("[%s] %s  %d ms, prompt %d tokens (%d cached), %d completion tokens, finish %s%n",
        label, o.body().path("id").asText(), o.millis(), usage.path("prompt_tokens").asInt(),
        usage.path("prompt_tokens_details").path("cached_tokens").asInt(), usage.path("completion_tokens").asInt(),
        o.body().path("choices").path(0).path("finish_reason").asText());
    out.println("    ..." + text.replace("\n", "\n    "));
    out.println();
    return 0;
  }
}
