package dev.sluice.router.topology;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.request;
import static dev.sluice.router.topology.RouterDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.Fixtures;
import dev.sluice.router.RouterSettings;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.InferenceRequestSerde;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.SluiceSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission that nobody waits on forever and nobody can starve: every record that names its request
 * gets an ERROR saying why it cannot be served, only bytes with no request reach the DLQ, and a huge
 * prompt is refused by its size before the tokenizer sees it.
 */
class UnservableRequestsTest {
  @TempDir Path dataDir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldAnswerEveryUnreadableRequestThatNamesItsIdWithAnError() {
    try (RouterDriver router = new RouterDriver(RouterSettings.defaults(MODEL), null, dataDir)) {
      router.rawRequests.pipeInput(null, utf8("{\"requestId\": \"wrong-type\", \"promptTokens\": [1, 2], \"maxTokens\": \"many\"}"), T0);
      router.rawRequests.pipeInput(null, utf8("{\"request_id\": \"unknown-field\", \"promptTokens\": [1, 2], \"temprature\": 0.5}"), T0);
      router.rawRequests.pipeInput(null, utf8("{\"requestId\": \"truncated\", \"promptTokens\": [1, 2"), T0);
      RecordHeaders headers = new RecordHeaders();
      headers.add(SluiceHeaders.REQUEST_ID, utf8("by-header"));
      headers.add(SluiceHeaders.REPLY_PARTITION, utf8("1"));
      router.rawRequests.pipeInput(new TestRecord<>(null, new byte[] {(byte) 0xC3, 0x01, 7, 7, 7}, headers, T0));
      router.requests.pipeInput(null, request("good", prompt(2, 20)), T0);

      List<TestRecord<String, ResultEvent>> errors = router.results.readRecordsToList();
      assertThat(errors).extracting(TestRecord::key).containsExactly("wrong-type", "unknown-field", "truncated", "by-header");
      assertThat(errors).allSatisfy(e -> {
        assertThat(e.value().getKind()).isEqualTo(ResultKind.ERROR);
        assertThat(e.value().getIndex()).isZero();
        assertThat(e.value().getErrorCode()).isEqualTo("invalid_request");
      });
      assertThat(errors.get(0).value().getErrorMessage()).contains("'maxTokens' must be an integer");
      assertThat(errors.get(1).value().getErrorMessage()).contains("unknown field 'temprature'");
      assertThat(errors.get(2).value().getErrorMessage()).contains("invalid JSON");
      assertThat(SluiceHeaders.get(errors.get(3).headers(), SluiceHeaders.REPLY_PARTITION)).isEqualTo("1");
      assertThat(router.dlq.isEmpty()).as("the DLQ holds only bytes that name no request").isTrue();
      assertThat(router.stage0.readValue().getRequestId()).isEqualTo("good");
    }
  }

  @Test
  void shouldSendTombstonesArraysAndAnonymousBytesToTheDlqWithTheirReason() {
    try (RouterDriver router = new RouterDriver(RouterSettings.defaults(MODEL), null, dataDir)) {
      router.rawRequests.pipeInput(utf8("gone"), null, T0);
      router.rawRequests.pipeInput(null, utf8("[{\"requestId\": \"a\", \"promptTokens\": [1, 2]}]"), T0);
      router.rawRequests.pipeInput(null, utf8("{\"promptTokens\": \"nope\"}"), T0);
      router.requests.pipeInput(null, request("good", prompt(2, 20)), T0);

      List<String> reasons = router.dlq.readRecordsToList().stream()
          .map(r -> SluiceHeaders.get(r.headers(), SluiceHeaders.DLQ_REASON)).toList();
      assertThat(reasons).hasSize(3);
      assertThat(reasons.get(0)).contains("tombstone");
      assertThat(reasons.get(1)).contains("a JSON array is not a request");
      assertThat(reasons.get(2)).contains("'promptTokens' must be an array of integers");
      assertThat(router.results.isEmpty()).isTrue();
      assertThat(router.stage0.readValue().getRequestId()).isEqualTo("good");
    }
  }

  @Test
  void shouldRefuseAHugePromptByItsBytesBeforeTokenizingIt() {
    Path shared = Fixtures.sharedDir();
    assumeTrue(shared != null, "shared stories260K model missing — skipping");
    java.util.concurrent.atomic.AtomicInteger longestTokenized = new java.util.concurrent.atomic.AtomicInteger();
    try (TextTokenizer tokenizer = Tokenizers.load(shared.resolve("models/stories260K"));
        RouterDriver router = new RouterDriver(RouterSettings.defaults(MODEL), text -> {
          longestTokenized.accumulateAndGet(text.length(), Math::max); // the real tokenizer, watched
          return tokenizer.encode(text);
        }, dataDir)) {
      InferenceRequest huge = request("huge", prompt(1, 1));
      huge.setPromptTokens(null);
      huge.setPrompt("Once upon a time there was a little dog. ".repeat(5 * 1024 * 1024 / 42)); // 5 MB
      InferenceRequest small = request("small", prompt(1, 1));
      small.setPromptTokens(null);
      small.setPrompt("Once upon a time");

      router.rawRequests.pipeInput(null, InferenceRequestSerde.toJson(huge), T0);
      router.requests.pipeInput(null, small, T0);

      ResultEvent error = router.results.readValue();
      assertThat(error.getRequestId()).isEqualTo("huge");
      assertThat(error.getErrorCode()).isEqualTo("too_large");
      assertThat(error.getErrorMessage()).contains("bytes");
      assertThat(router.stage0.readValue().getRequestId()).isEqualTo("small");
      // tokenizing 5 MB would hold the stream thread for seconds: the prompt must never reach the tokenizer
      assertThat(longestTokenized.get()).as("longest text tokenized").isEqualTo("Once upon a time".length());
    }
  }

  @Test
  void shouldKeepTheFullTokenLimitWithinTheDefaultByteLimit() {
    RouterSettings settings = RouterSettings.defaults(MODEL);
    assertThat(settings.promptByteLimit()).isEqualTo(16L * settings.maxPromptTokens());
    assertThat(settings.withMaxPromptBytes(1000).promptByteLimit()).isEqualTo(1000);
  }
}
