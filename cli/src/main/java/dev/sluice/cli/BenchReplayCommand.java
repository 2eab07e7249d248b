package dev.sluice.cli;

import dev.sluice.bench.replay.PolicyResult;
import dev.sluice.bench.replay.RecordedRequests;
import dev.sluice.bench.replay.ReplayBenchmark;
import dev.sluice.bench.replay.TopicReplay;
import dev.sluice.bench.replay.ReplayScale;
import dev.sluice.bench.replay.ReplayTable;
import dev.sluice.bench.replay.ScaledTrace;
import dev.sluice.model.ModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench replay}: the Mooncake trace, scaled to synthetic token prompts
 * ({@link ScaledTrace}), replayed through a real one-machine pipeline once per routing policy
 * ({@link ReplayBenchmark}).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replays the Mooncake trace through the real pipeline once per routing policy and compares "
        + "cache hit rate, TTFT, latency and tokens/s side by side.",
        "Every hash id becomes a fixed block of synthetic tokens, so shared trace prefixes are shared prompt prefixes."})
public final class BenchReplayCommand extends PrintingCommand {
  @Mixin TraceOption trace;

  @Mixin EmbeddedModelOption model;

  @Mixin PolicyRunOptions policyRun = new PolicyRunOptions(List.of("cache_aware", "round_robin", "prefix_hash"), 64, 300);

  @Mixin ReplayScaleOptions scaleOptions;

  @Mixin PipelineShapeOptions pipeline;

  @Option(names = "--out", description = "Also write the comparison as Markdown to this file.")
  Path out;

  @Option(names = "--from-topic", paramLabel = "TOPIC",
      description = "Replay the requests recorded on this topic (any requests topic, Avro or JSON) instead of the trace.")
  String fromTopic;

  @Option(names = "--source-bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
      description = "Kafka cluster that holds --from-topic (default: ${DEFAULT-VALUE}).")
  String sourceBootstrapServers;

  @Option(names = "--from", paramLabel = "OFFSET|TIME",
      description = "With --from-topic: first offset of every partition, or an ISO-8601 time (default: the beginning).")
  String from;

  @Option(names = "--to", paramLabel = "OFFSET|TIME",
      description = "With --from-topic: offset or ISO-8601 time to stop before (default: the end when reading starts).")
  String to;

  @Option(names = "--speed", paramLabel = "original|max|N", defaultValue = "original", converter = ReplaySpeed.Converter.class,
      description = "With --from-topic: the recorded spacing, all at once, or N times faster (default: ${DEFAULT-VALUE}).")
  ReplaySpeed speed;

  @Override
  int run(PrintWriter w) throws Exception {
    Path modelDir = model.resolve(w);
    if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
      throw badUsage("--model " + modelDir + " has no config.json");
    }
    if (fromTopic != null) return replayTopic(modelDir, w);
    ModelConfig config = ModelConfig.read(modelDir);
    ReplayScale scale = scaleOptions.scale(config);
    Path traceFile = trace.file();
    ScaledTrace scaled = ScaledTrace.read(traceFile, scale);
    w.printf("trace %s: %d requests, %,d prompt tokens, arrivals over %.1f s%n", traceFile.getFileName(),
        scaled.requests().size(), scaled.promptTokens(), scaled.durationMs() / 1000.0);
    w.println(scale.describe());
    w.printf("pipeline: %s, model %s%n", pipeline.describe(), modelDir);
    w.flush();

    List<PolicyResult> results = new ReplayBenchmark(
        settings(policyRun.warmup), w).run(modelDir, scaled, policyRun.policies);
    w.println();
    w.println(scale.describe());
    w.print(ReplayTable.text(results));
    writeMarkdown(ReplayTable.markdown(results, scale.describe()), w);
    return 0;
  }

  /** --from-topic: the recorded requests through a fresh pipeline per policy, and whether their outputs agree. */
  private int replayTopic(Path modelDir, PrintWriter w) throws Exception {
    RecordedRequests recorded;
    try {
      recorded = RecordedRequests.read(sourceBootstrapServers, fromTopic, RecordedRequests.Position.parse(from),
          RecordedRequests.Position.parse(to), Duration.ofSeconds(60));
    } catch (IllegalArgumentException e) {
      throw badUsage(e.getMessage());
    }
    w.printf("topic %s at %s: %d requests%s, speed %s; pipeline: %s, model %s%n", fromTopic,
        sourceBootstrapServers, recorded.requests().size(), recorded.unreadable() == 0 ? "" : " (" + recorded.unreadable()
            + " unreadable records skipped)", speed, pipeline.describe(), modelDir);
    w.flush();
    TopicReplay replay = TopicReplay.run(settings(0),
        modelDir, recorded, speed.factor(), policyRun.policies, w);
    w.println();
    w.print(ReplayTable.text(replay.results()));
    w.printf("identical outputs under every policy: %d of %d requests%n", replay.identicalOutputs(), recorded.requests().size());
    writeMarkdown(ReplayTable.markdown(replay.results(), "topic " + fromTopic + ", " + recorded.requests().size()
        + " requests, speed " + speed), w);
    return 0;
  }

  /** --out: the comparison as Markdown, when asked for. */
  private void writeMarkdown(String markdown, PrintWriter w) throws IOException {
    if (out != null) {
      Files.writeString(out, markdown);
      w.println("report: " + out.toAbsolutePath());
    }
  }

  private ReplayBenchmark.Settings settings(int warmupRequests) {
    return new ReplayBenchmark.Settings(pipeline.stages, pipeline.workersPerStage, pipeline.lanes, policyRun.timeoutSeconds,
        warmupRequests, policyRun.jvmWarmupRounds);
  }
}
