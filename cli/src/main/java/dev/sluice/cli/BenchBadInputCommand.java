package dev.sluice.cli;

import dev.sluice.bench.badinput.BadInputRun;
import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.ingress.IngressSettings;
import dev.sluice.topics.TopicLayout;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice bench bad-input}: a corpus of bad HTTP bodies and Kafka records against a fresh one-machine pipeline. */
@Command(name = "bad-input", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = {"Sends a corpus of bad inputs — malformed and mistyped OpenAI bodies, bodies at and past the size "
        + "limit, bytes that are no request and unservable requests on the requests topic — to a fresh one-machine "
        + "pipeline, prints each answer and the counts by outcome (4xx with an OpenAI error body, ERROR result, DLQ "
        + "record), and checks after each input that the pipeline still serves. Target: every input answered as owed."})
public final class BenchBadInputCommand implements Callable<Integer> {
  private static final String NAMESPACE = "sluice";

  @Option(names = "--answer-timeout-s", defaultValue = "30", description = "How long to wait for a Kafka input's answer.")
  int answerTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("sluice-bad-input");
    System.out.println("starting a one-machine pipeline ...");
    try (LocalPipeline pipeline = LocalPipeline.start(new PipelineSpec(0, 2, 1, 8, null, "cache_aware", null, 0, dir,
        NAMESPACE), line -> {}, Duration.ofMinutes(3))) {
      BadInputRun.Result r = new BadInputRun(pipeline.bootstrapServers(), TopicLayout.defaults().withNamespace(NAMESPACE),
          URI.create("http://127.0.0.1:" + pipeline.port()), System.out)
          .run(pipeline.modelName(), (int) IngressSettings.DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(answerTimeoutSeconds));
      System.out.printf("%n%d bad inputs: %s%n", r.inputs(), r.byOutcome());
      System.out.println("targets:");
      System.out.printf("  [%s] every bad input answered as owed (%d of %d)%s%n", r.allAnswered() ? "ok" : "MISS",
          r.inputs() - r.misanswered().size(), r.inputs(), r.allAnswered() ? "" : ": " + r.misanswered());
      System.out.printf("  [%s] the pipeline served after every input (%d checks failed)%n",
          r.aliveChecksFailed() == 0 ? "ok" : "MISS", r.aliveChecksFailed());
      return r.allAnswered() && r.aliveChecksFailed() == 0 ? 0 : 1;
    }
  }
}
