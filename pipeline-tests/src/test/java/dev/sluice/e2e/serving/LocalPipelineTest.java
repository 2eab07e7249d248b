package dev.sluice.e2e.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.Sluice;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.StageModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.worker.StageWorker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What `sluice up --bootstrap-servers` starts: 3 stages against an existing cluster, served over HTTP; one
 * pipeline for the class, each test one thing a user or an operator does with it.
 */
@ExtendWith(SharedKafkaExtension.class)
class LocalPipelineTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "Lily and Tom";

  @TempDir static Path dir;
  private static Path model;
  private static PipelineSpec spec;
  private static final List<String> progress = new ArrayList<>();
  private static LocalPipeline pipeline;

  @BeforeAll
  static void startPipeline() throws Exception {
    model = ModelLocator.embeddedModel();
    spec = new PipelineSpec(0, 3, 1, 4, model, "cache_aware", SharedKafkaExtension.bootstrapServers(), 0, dir,
        SharedKafkaExtension.uniquePrefix("up"));
    pipeline = LocalPipeline.start(spec, progress::add, Duration.ofMinutes(3));
  }

  @AfterAll
  static void stopPipeline() {
    if (pipeline != null) pipeline.close();
  }

  @Test
  void shouldUseTheGivenClusterWithOneWorkerPerStage() {
    assertThat(progress).anyMatch(l -> l.contains("Using the Kafka cluster at"));
    assertThat(pipeline.workers()).extracting(w -> w.settings().stage()).containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void shouldAnswerHealthWithThePipelineReadyOnceStarted() throws Exception {
    HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).path("pipeline_ready").asBoolean()).isTrue();
  }

  @Test
  void shouldServeTheSameTextAsInProcessGeneration() throws Exception {
    JsonNode completion = complete(PROMPT, 20);
    assertThat(completion.path("choices").path(0).path("text").asText()).isEqualTo(reference(PROMPT, 20));
    assertThat(completion.path("usage").path("completion_tokens").asInt()).isEqualTo(20);
  }

  /** `sluice trace ID` shows the request's records at every stage, ending with its DONE result. */
  @Test
  void shouldTraceARequestThroughEveryStageToItsResult() throws Exception {
    String id = complete(PROMPT, 20).path("id").asText();
    StringWriter traced = new StringWriter();
    int code = sluice(traced, "trace", id, "--bootstrap-servers", pipeline.bootstrapServers(), "--prefix", spec.namespace());
    assertThat(code).as(traced.toString()).isZero();
    assertThat(traced.toString()).contains("REQUEST", "PREFILL_CHUNK [0,", "DECODE [", "DONE #20", "finish=LENGTH")
        .contains(spec.namespace() + ".stage-0", spec.namespace() + ".stage-1", spec.namespace() + ".stage-2");
  }

  /** `sluice workers` lists every worker from the heartbeats, layers as on the command line. */
  @Test
  void shouldListEveryWorkerFromTheHeartbeats() {
    StringWriter listed = new StringWriter();
    assertThat(sluice(listed, "workers", "--bootstrap-servers", pipeline.bootstrapServers(), "--prefix", spec.namespace()))
        .as(listed.toString()).isZero();
    for (StageWorker w : pipeline.workers()) {
      assertThat(listed.toString()).containsPattern(w.workerId() + "\\s+" + w.settings().stage() + "\\s+"
          + Pattern.quote(w.settings().layers().toString()) + "\\s");
    }
  }

  /** A plain JSON request from any Kafka client (no header, as kafka-console-producer sends it) is served too. */
  @Test
  void shouldServeAPlainJsonRequestFromAnyKafkaClient() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        pipeline.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(spec.namespace() + ".requests",
          "{\"requestId\":\"json-1\",\"prompt\":\"Lily and Tom\",\"maxTokens\":8}".getBytes(StandardCharsets.UTF_8))).get();
    }
    Path out = dir.resolve("results.jsonl");
    StringWriter exported = new StringWriter();
    await("json-1 in `sluice results export`").atMost(Duration.ofSeconds(60)).until(() -> {
      sluice(exported, "results", "export", "--out", out.toString(), "--bootstrap-servers", pipeline.bootstrapServers(),
          "--prefix", spec.namespace());
      return Files.exists(out) && Files.readString(out).contains("\"json-1\"");
    });
    JsonNode jsonDone = Files.readAllLines(out).stream().map(LocalPipelineTest::parse)
        .filter(n -> "json-1".equals(n.path("request_id").asText())).findFirst().orElseThrow();
    assertThat(jsonDone.path("text").asText()).isEqualTo(reference(PROMPT, 8));
    assertThat(jsonDone.path("finish_reason").asText()).isEqualTo("length");
  }

  private static String base() {
    return "http://127.0.0.1:" + pipeline.port();
  }

  /** A greedy completion over HTTP. */
  private static JsonNode complete(String prompt, int maxTokens) throws Exception {
    String body = "{\"model\":\"stories260K\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens
        + ",\"temperature\":0}";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/v1/completions"))
        .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Runs {@code sluice ARGS} in this JVM, what it prints going to {@code out}. */
  private static int sluice(StringWriter out, String... args) {
    CommandLine cmd = Sluice.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(out, true));
    return cmd.execute(args);
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Greedy text of the whole model in process (greedy does not depend on the request id). */
  private static String reference(String prompt, int maxTokens) {
    try (StageModel whole = StageModel.load(model, LayerRange.all(ModelConfig.read(model).numLayers()));
        TextTokenizer tokenizer = Tokenizers.load(model)) {
      return new Generator(List.of(whole), tokenizer).generate(new Generator.Request("reference", tokenizer.encode(prompt),
          SamplingParams.GREEDY, new StopCondition(tokenizer.eosId(), maxTokens, List.of())), null).text();
    }
  }
}
