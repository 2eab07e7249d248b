package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedData;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.schemas.ResultKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole system over HTTP: the real router (Kafka Streams), two real stage workers running
 * stories260K (layers 0-2 and 3-4) and the ingress, on the shared broker. Compares with the
 * in-process Generator, which samples from the same (seed, request id, position) random streams.
 */
@ExtendWith(SharedKafkaExtension.class)
class EndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String MODEL = "stories260K";
  private static final int LANES = 4;

  private static PipelineUnderTest pipeline;
  private static Path modelDir;
  private static TextTokenizer tokenizer;
  private static IngressServer ingress;

  static Path sharedDir() {
    return SharedData.find().orElse(Path.of("../shared")); // PipelineUnderTest skips when the model is missing
  }

  @BeforeAll
  static void startPipeline() throws Exception {
    pipeline = new PipelineUnderTest("e2e", settings -> settings);
    modelDir = pipeline.modelDir;
    tokenizer = pipeline.tokenizer;
    ingress = pipeline.ingress;
    // The router routes only to workers it has heartbeats from: wait until the ingress sees them too.
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/workers").get("workers").size() == 2);
  }

  @AfterAll
  static void stopPipeline() {
    if (pipeline != null) pipeline.close();
  }

  private static JsonNode get(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + path)).GET().build();
    return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Generator.Generation reference(String requestId, String prompt, SamplingParams params, int maxTokens) {
    try (StageModel all = StageModel.load(modelDir, LayerRange.parse("0-4"))) {
      return new Generator(List.of(all), tokenizer).generate(new Generator.Request(requestId, tokenizer.encode(prompt), params,
          new StopCondition(tokenizer.eosId(), maxTokens, List.of())), null);
    }
  }

  private static String requestId(JsonNode response) {
    String id = response.get("id").asText();
    return id.substring(id.indexOf('-') + 1);
  }

  @Test
  void shouldCompleteWithTheSameTextAsTheInProcessGenerator() throws Exception {
    HttpResponse<String> greedy = post("/v1/completions",
        "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0}");
    HttpResponse<String> sampled = post("/v1/completions",
        "{\"model\":\"stories260K\",\"prompt\":\"Lily and Tom went to the park.\",\"max_tokens\":24,\"temperature\":0.8,\"seed\":7}");

    assertThat(greedy.statusCode()).as(greedy.body()).isEqualTo(200);
    JsonNode g = JSON.readTree(greedy.body());
    Generator.Generation expectedGreedy = reference(requestId(g), "Once upon a time", SamplingParams.GREEDY, 24);
    assertThat(g.at("/choices/0/text").asText()).isEqualTo(expectedGreedy.text()).isNotEmpty();
    assertThat(g.at("/usage/completion_tokens").asInt()).isEqualTo(expectedGreedy.tokens().length);
    assertThat(g.at("/usage/prompt_tokens").asInt()).isEqualTo(tokenizer.encode("Once upon a time").length);

    assertThat(sampled.statusCode()).as(sampled.body()).isEqualTo(200);
    JsonNode s = JSON.readTree(sampled.body());
    Generator.Generation expectedSampled = reference(requestId(s), "Lily and Tom went to the park.", new SamplingParams(0.8f, 1f, 0, 7L), 24);
    assertThat(s.at("/choices/0/text").asText()).isEqualTo(expectedSampled.text());
  }

  @Test
  void shouldStreamEveryTokenExactlyOnceAndEndWithDone() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", "{\"model\":\"stories260K\",\"stream\":true,\"max_tokens\":20,"
        + "\"temperature\":0,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}");

    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = new ArrayList<>();
    for (String event : response.body().split("\n\n")) {
      if (event.isBlank()) continue;
      data.add(event.substring(event.indexOf("data: ") + "data: ".length())); // after the event's "id: N" line
    }
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(data.stream().filter("[DONE]"::equals).count()).isEqualTo(1);
    List<JsonNode> chunks = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) chunks.add(JSON.readTree(d));
    List<JsonNode> tokenChunks = chunks.stream()
        .filter(c -> c.get("choices").size() == 1 && c.at("/choices/0/finish_reason").isNull()).toList();
    JsonNode usage = chunks.get(chunks.size() - 1).get("usage");
    String text = tokenChunks.stream().map(c -> c.at("/choices/0/delta/content").asText()).collect(Collectors.joining());

    Generator.Generation expected = reference(requestId(chunks.get(0)), "Once upon a time", SamplingParams.GREEDY, 20);
    assertThat(tokenChunks).as("one chunk per generated token").hasSize(expected.tokens().length);
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(expected.tokens().length);
    assertThat(text).isEqualTo(expected.text());
  }

  @Test
  void shouldAnswer413ForAPromptLongerThanTheRouterAccepts() throws Exception {
    String prompt = "Once upon a time there was a dog. ".repeat(400); // ~3,600 tokens, far over 2,048, body ~14 KB
    HttpResponse<String> r = post("/v1/completions", "{\"model\":\"stories260K\",\"prompt\":\"" + prompt + "\",\"max_tokens\":4}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("too_large");
  }

  @Test
  void shouldCompleteFiftyConcurrentRequestsEachExactlyOnce() throws Exception {
    // Half share a long prefix (cache hits on the same lane), half are distinct.
    String shared = "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. ";
    List<Long> latenciesMs = new java.util.concurrent.CopyOnWriteArrayList<>();
    long startAll = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 50).mapToObj(i -> {
      String prompt = i % 2 == 0 ? shared + "One day she saw " + i : "Tom had a red ball number " + i;
      String body = "{\"model\":\"stories260K\",\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"temperature\":0.5,\"seed\":" + i + "}";
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + "/v1/completions"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      long start = System.nanoTime();
      return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> latenciesMs.add((System.nanoTime() - start) / 1_000_000));
    }).toList();

    List<String> requestIds = new ArrayList<>();
    int cached = 0;
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> r = call.get();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode json = JSON.readTree(r.body());
      assertThat(json.at("/usage/completion_tokens").asInt()).isBetween(1, 8);
      cached += json.at("/usage/prompt_tokens_details/cached_tokens").asInt();
      requestIds.add(requestId(json));
    }
    List<Long> sorted = latenciesMs.stream().sorted().toList();
    // A figure, not an assertion: 50 requests x 8 tokens through 2 stages on this machine.
    System.out.printf("e2e: 50 concurrent completions (8 tokens, 2 stages) in %d ms; latency p50 %d ms, max %d ms; cached prompt tokens %d%n",
        (System.nanoTime() - startAll) / 1_000_000, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), cached);
    assertThat(Set.copyOf(requestIds)).hasSize(50);
    assertThat(cached).as("shared-prefix requests reuse cached blocks").isPositive();
    // Exactly one final result per request on the results topic (no duplicates written).
    Map<String, Integer> finals = finalResultsPerRequest(Set.copyOf(requestIds));
    assertThat(finals).hasSize(50).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
  }

  private static Map<String, Integer> finalResultsPerRequest(Set<String> ids) {
    Map<String, Integer> finals = new HashMap<>();
    pipeline.results().forEach((id, events) -> {
      if (ids.contains(id)) finals.put(id, (int) events.stream().filter(e -> e.getKind() != ResultKind.TOKEN).count());
    });
    return finals;
  }
}
