package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What `sluice up --bootstrap-servers` starts: 3 stages against an existing cluster, served over HTTP. */
@ExtendWith(SharedKafkaExtension.class)
class LocalPipelineTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldAnswerHealthOnlyWhenReadyAndServeTheSameTextAsInProcessGeneration(@TempDir Path dir) throws Exception {
    Path model = ModelLocator.embeddedModel();
    PipelineSpec spec = new PipelineSpec(0, 3, 1, 4, model, "cache_aware", SharedKafkaExtension.bootstrapServers(), 0,
        dir, SharedKafkaExtension.uniquePrefix("up"));
    List<String> progress = new ArrayList<>();
    try (LocalPipeline pipeline = LocalPipeline.start(spec, progress::add, Duration.ofMinutes(3))) {
      assertThat(progress).anyMatch(l -> l.contains("Using the Kafka cluster at"));
      assertThat(pipeline.workers()).hasSize(3);
      String base = "http://127.0.0.1:" + pipeline.port();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      assertThat(json.readTree(health.body()).path("pipeline_ready").asBoolean()).isTrue();

      String body = "{\"model\":\"stories260K\",\"prompt\":\"Lily and Tom\",\"max_tokens\":20,\"temperature\":0}";
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
          .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode completion = json.readTree(r.body());
      assertThat(completion.path("choices").path(0).path("text").asText()).isEqualTo(reference(model, "Lily and Tom", 20));
      assertThat(completion.path("usage").path("completion_tokens").asInt()).isEqualTo(20);

      // `sluice trace ID` shows the request's records at every stage, ending with its DONE result.
      java.io.StringWriter traced = new java.io.StringWriter();
      picocli.CommandLine cmd = Sluice.commandLine();
      cmd.setOut(new java.io.PrintWriter(traced, true));
      int code = cmd.execute("trace", completion.path("id").asText(), "--bootstrap-servers", pipeline.bootstrapServers(),
          "--prefix", spec.namespace());
      assertThat(code).as(traced.toString()).isZero();
      assertThat(traced.toString()).contains("REQUEST", "PREFILL_CHUNK [0,", "DECODE [", "DONE #20", "finish=LENGTH")
          .contains(spec.namespace() + ".stage-0", spec.namespace() + ".stage-1", spec.namespace() + ".stage-2");

      // `sluice workers` lists every worker from the heartbeats, layers as on the command line.
      java.io.StringWriter listed = new java.io.StringWriter();
      picocli.CommandLine workersCmd = Sluice.commandLine();
      workersCmd.setOut(new java.io.PrintWriter(listed, true));
      assertThat(workersCmd.execute("workers", "--bootstrap-servers", pipeline.bootstrapServers(), "--prefix", spec.namespace()))
          .isZero();
      for (var w : pipeline.workers()) {
        assertThat(listed.toString()).containsPattern(w.workerId() + "\\s+" + w.settings().stage() + "\\s+"
            + java.util.regex.Pattern.quote(w.settings().layers().toString()) + "\\s");
      }

      // A plain JSON request from any Kafka client (no header, as kafka-console-producer sends it) is served too.
      String topic = spec.namespace() + ".requests";
      try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(java.util.Map.of(
          "bootstrap.servers", pipeline.bootstrapServers()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
          new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
            "{\"requestId\":\"json-1\",\"prompt\":\"Lily and Tom\",\"maxTokens\":8}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8))).get();
      }
      java.io.StringWriter exported = new java.io.StringWriter();
      Path out = dir.resolve("results.jsonl");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
        picocli.CommandLine export = Sluice.commandLine();
        export.setOut(new java.io.PrintWriter(exported, true));
        export.execute("results", "export", "--out", out.toString(), "--bootstrap-servers", pipeline.bootstrapServers(),
            "--prefix", spec.namespace());
        return java.nio.file.Files.exists(out) && java.nio.file.Files.readString(out).contains("\"json-1\"");
      });
      JsonNode jsonDone = java.nio.file.Files.readAllLines(out).stream().map(l -> {
        try {
          return json.readTree(l);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).filter(n -> n.toString().contains("\"json-1\"")).findFirst().orElseThrow();
      assertThat(jsonDone.path("request_id").asText()).isEqualTo("json-1");
      assertThat(jsonDone.path("text").asText()).isEqualTo(reference(model, "Lily and Tom", 8));
      assertThat(jsonDone.path("finish_reason").asText()).isEqualTo("length");
    }
  }

  /** Greedy text of the whole model in process (greedy does not depend on the request id). */
  private static String reference(Path model, String prompt, int maxTokens) throws Exception {
    try (StageModel whole = StageModel.load(model, LayerRange.all(ModelConfig.read(model).numLayers()));
        TextTokenizer tokenizer = Tokenizers.load(model)) {
      return new Generator(List.of(whole), tokenizer).generate(new Generator.Request("reference", tokenizer.encode(prompt),
          SamplingParams.GREEDY, new StopCondition(tokenizer.eosId(), maxTokens, List.of())), null).text();
    }
  }
}
