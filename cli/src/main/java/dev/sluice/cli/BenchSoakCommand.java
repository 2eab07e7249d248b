package dev.sluice.cli;

import dev.sluice.bench.soak.SoakBenchmark;
import dev.sluice.bench.soak.SoakReport;
import dev.sluice.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice bench soak}: the one-machine pipeline at saturation for a long time ({@link SoakBenchmark}). */
@Command(name = "soak", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Keeps the one-machine pipeline saturated (a closed loop of greedy requests through Kafka) and "
        + "prints, every sample, RSS (heap and native), the workers' queues, latency and tokens/s; draws them in an "
        + "HTML report. Target: flat RSS after the first third of the run."})
public final class BenchSoakCommand implements Callable<Integer> {
  @Option(names = "--minutes", defaultValue = "30", description = "Measured minutes (after the warm-up).")
  int minutes;

  @Option(names = "--warmup-s", defaultValue = "60", description = "Unmeasured seconds first.")
  int warmupSeconds;

  @Option(names = "--sample-s", defaultValue = "10", description = "Seconds between samples.")
  int sampleSeconds;

  @Option(names = "--concurrency", defaultValue = "32", description = "Requests in flight (closed loop).")
  int concurrency;

  @Option(names = "--prompt-tokens", defaultValue = "64", description = "Prompt tokens per request.")
  int promptTokens;

  @Option(names = "--max-tokens", defaultValue = "32", description = "New tokens per request.")
  int maxTokens;

  @Mixin PipelineShapeOptions pipeline = new PipelineShapeOptions(2, 1, 8);

  @Mixin EmbeddedModelOption model;

  @Mixin ReportOption report = new ReportOption("target/bench/soak.html");

  @Override
  public Integer call() throws Exception {
    Path modelDir = model.resolve(new java.io.PrintWriter(System.out, true));
    SoakBenchmark.Settings settings = new SoakBenchmark.Settings(Duration.ofMinutes(minutes),
        Duration.ofSeconds(sampleSeconds), concurrency, promptTokens, maxTokens, pipeline.stages, pipeline.workersPerStage, pipeline.lanes,
        Duration.ofSeconds(warmupSeconds));
    SoakBenchmark.Result result = new SoakBenchmark(settings, System.out).run(modelDir, ModelConfig.read(modelDir).vocabSize());
    SoakReport.print(result, System.out);
    System.out.println("report: " + SoakReport.writeHtml(result, report.report).toAbsolutePath());
    return result.flat() && result.failed() == 0 ? 0 : 1;
  }
}
