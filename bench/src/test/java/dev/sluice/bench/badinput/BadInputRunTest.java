package dev.sluice.bench.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.ingress.IngressSettings;
import dev.sluice.topics.TopicLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole bad-input corpus against a real one-machine pipeline (embedded broker, stories260K, router,
 * workers, ingress): every input gets the answer it is owed, and the pipeline serves after each.
 */
class BadInputRunTest {
  @Test
  void shouldAnswerEveryBadInputAsOwedAndKeepServing(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (LocalPipeline pipeline = LocalPipeline.start(new PipelineSpec(0, 2, 1, 4, null, "cache_aware", null, 0, dir,
        "sluice"), line -> {}, Duration.ofMinutes(3))) {
      BadInputRun.Result r = new BadInputRun(pipeline.bootstrapServers(), TopicLayout.defaults().withNamespace("sluice"),
          URI.create("http://127.0.0.1:" + pipeline.port()), new PrintStream(printed, true, StandardCharsets.UTF_8))
          .run(pipeline.modelName(), (int) IngressSettings.DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(30));
      System.out.print(printed.toString(StandardCharsets.UTF_8));
      assertThat(r.misanswered()).as(printed.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(r.aliveChecksFailed()).isZero();
      assertThat(r.byOutcome().keySet()).contains(BadInput.Outcome.HTTP_4XX, BadInput.Outcome.ERROR_RESULT,
          BadInput.Outcome.DLQ);
    }
  }
}
