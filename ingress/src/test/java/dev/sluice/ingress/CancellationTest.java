package dev.sluice.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.worker.StageWorker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancellation on the real pipeline (router, two stage workers running stories260K, ingress) over the
 * shared broker: a 200-token request whose client goes away after its first chunk, or that is
 * cancelled through {@code POST /v1/requests/{id}/cancel}, must stop within a few decode steps,
 * free its hot KV at every stage, and end with exactly one terminal event, a DONE whose finish reason
 * is CANCELLED.
 */
@ExtendWith(SharedKafkaExtension.class)
class CancellationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TOKENS = 200;
  /** Decode steps allowed after a stage hears of the cancel: the step in hand, and the one behind it. */
  private static final int TOKENS_AFTER_CANCEL = 2 * 2;
  private static PipelineUnderTest pipeline;

  @BeforeAll
  static void start() throws Exception {
    pipeline = new PipelineUnderTest("cancel", s -> s);
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) pipeline.close();
  }

  private static String body(boolean stream, String prompt) {
    return "{\"model\":\"stories260K\",\"stream\":" + stream + ",\"max_tokens\":" + MAX_TOKENS
        + ",\"temperature\":0,\"prompt\":\"" + prompt + "\"}";
  }

  @Test
  void shouldStopTheGenerationWhenAStreamingClientDisconnectsAfterTheFirstChunk() throws Exception {
    String requestId;
    try (Socket socket = post("/v1/completions", body(true, "Once upon a time, a little girl"))) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while (!(line = in.readLine()).startsWith("data: ")) {
        // status line and headers, then the first event's id: line
      }
      requestId = JSON.readTree(line.substring("data: ".length())).get("id").asText().substring("cmpl-".length());
    } // the client goes away
    assertCancelledSoon(requestId, "client_disconnected");
  }

  @Test
  void shouldStopTheGenerationWhenANonStreamingClientDisconnects() throws Exception {
    Map<String, List<ResultEvent>> before = pipeline.results();
    String requestId;
    try (Socket socket = post("/v1/completions", body(false, "Lily and Tom went to the park"))) {
      // A non-streaming client sees nothing until the end: wait for the request's first token on Kafka.
      requestId = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
        for (Map.Entry<String, List<ResultEvent>> e : pipeline.results().entrySet()) {
          if (!before.containsKey(e.getKey())) return e.getKey();
        }
        return null;
      }, id -> id != null);
    }
    assertCancelledSoon(requestId, "client_disconnected");
  }

  @Test
  void shouldStopTheGenerationOnAnExplicitCancelAndTellTheStreamingClient() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<java.util.stream.Stream<String>> response = http.send(HttpRequest.newBuilder(uri("/v1/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(true, "The little dog")))
        .build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
    Iterator<String> lines = response.body().iterator();
    while (!lines.next().startsWith("data: ")) {
      // the first event
    }
    HttpResponse<String> cancel = http.send(HttpRequest.newBuilder(uri("/v1/requests/cmpl-" + requestId + "/cancel"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(cancel.statusCode()).isEqualTo(202);
    assertThat(JSON.readTree(cancel.body()).get("status").asText()).isEqualTo("cancelling");
    JsonNode last = null;
    int chunks = 0;
    while (lines.hasNext()) {
      String line = lines.next();
      if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
      last = JSON.readTree(line.substring("data: ".length()));
      chunks++;
    }
    assertThat(last).isNotNull();
    assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("cancelled");
    assertThat(chunks).isLessThan(MAX_TOKENS);
    assertCancelledSoon(requestId, "client");
  }

  /** One terminal event, a CANCELLED DONE; few tokens after the cancel; no hot KV left at any stage. */
  private static void assertCancelledSoon(String requestId, String reason) {
    List<ResultEvent> events = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> pipeline.results().getOrDefault(requestId, List.of()),
            ev -> ev.stream().anyMatch(e -> e.getKind() != ResultKind.TOKEN));
    CancelRequest cancel = pipeline.cancels().get(requestId);
    assertThat(cancel).as("the cancel on the cancels topic").isNotNull();
    assertThat(cancel.getReason()).isEqualTo(reason);
    // a moment more, to catch a late second terminal event or tokens still coming
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
    events = pipeline.results().get(requestId);
    List<ResultEvent> terminal = events.stream().filter(e -> e.getKind() != ResultKind.TOKEN).toList();
    assertThat(terminal).as("terminal events").hasSize(1);
    assertThat(terminal.get(0).getKind()).isEqualTo(ResultKind.DONE);
    assertThat(terminal.get(0).getFinishReason()).isEqualTo(FinishReason.CANCELLED);
    long tokens = events.stream().filter(e -> e.getKind() == ResultKind.TOKEN).count();
    long afterCancel = events.stream().filter(e -> e.getKind() == ResultKind.TOKEN && e.getAtMs() > cancel.getAtMs()).count();
    System.out.printf("cancel (%s): %d tokens generated in all, %d after the cancel was sent; DONE %d ms after it%n",
        reason, tokens, afterCancel, terminal.get(0).getAtMs() - cancel.getAtMs());
    assertThat(tokens).isLessThan(MAX_TOKENS);
    assertThat(afterCancel).as("tokens sampled after the cancel").isLessThanOrEqualTo(TOKENS_AFTER_CANCEL);
    assertThat(terminal.get(0).getUsage().getCompletionTokens()).isEqualTo((int) tokens);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(pipeline.workers).allMatch(w -> w.activeSequences() == 0, "no hot KV left"));
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + pipeline.port() + path);
  }

  /** A raw HTTP/1.1 POST, so the test can drop the connection whenever it likes. */
  private static Socket post(String path, String body) throws Exception {
    Socket socket = new Socket("127.0.0.1", pipeline.port());
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return socket;
  }
}
