package dev.sluice.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A streaming client of {@code POST /v1/completions} as a careful user would write one: it sends to one of
 * the live ingress instances; when the stream breaks after the first event it resumes on another instance
 * with {@code GET /v1/requests/ID/stream} and {@code Last-Event-ID}; when the connection fails before the
 * request has an id (nothing arrived yet) it sends the request again; 429 and 503 are retried after
 * {@code Retry-After}. Every failed attempt is counted as an HTTP error, retried or not.
 */
final class StreamingClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ATTEMPTS = 6;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final Supplier<List<URI>> ingress;
  private final String model;
  private final int maxTokens;

  StreamingClient(Supplier<List<URI>> ingress, String model, int maxTokens) {
    this.ingress = ingress;
    this.model = model;
    this.maxTokens = maxTokens;
  }

  /** What one request got: its id, text, the arrival time of each event, errors on the way. */
  static final class Outcome {
    final int promptIndex;
    final long sentAtMs;
    String requestId;
    final StringBuilder text = new StringBuilder();
    final List<Long> eventAtMs = new ArrayList<>();
    long endedAtMs = -1;
    boolean completed;
    int httpErrors;
    int resumed;
    int resubmitted;
    final List<String> errors = new ArrayList<>();
    private int lastEventId = -1;

    Outcome(int promptIndex, long sentAtMs) {
      this.promptIndex = promptIndex;
      this.sentAtMs = sentAtMs;
    }
  }

  /** Sends the prompt and reads its stream to the end, resuming or resending as needed; never throws. */
  Outcome run(int promptIndex, String prompt, int preferredIngress) {
    Outcome o = new Outcome(promptIndex, System.currentTimeMillis());
    for (int attempt = 0; attempt < MAX_ATTEMPTS && !o.completed; attempt++) {
      List<URI> uris = ingress.get();
      if (uris.isEmpty()) {
        o.httpErrors++;
        o.errors.add("no ingress running");
        pause(1000);
        continue;
      }
      URI base = uris.get(Math.floorMod(preferredIngress + attempt, uris.size()));
      try {
        HttpRequest request = o.requestId == null ? submit(base, prompt) : resume(base, o.requestId, o.lastEventId);
        if (o.requestId != null) o.resumed++; else if (attempt > 0) o.resubmitted++;
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
          o.httpErrors++;
          String body = String.join("\n", response.body().toList());
          o.errors.add(response.statusCode() + " " + body);
          if (response.statusCode() != 429 && response.statusCode() != 503) break;
          pause(1000L * Math.min(5, response.headers().firstValueAsLong("Retry-After").orElse(1)));
          continue;
        }
        if (o.requestId == null) o.requestId = response.headers().firstValue("X-Request-Id").orElse(null);
        read(response.body(), o);
        break; // [DONE] arrived: completed, or ended by an error event
      } catch (IOException | UncheckedIOException e) {
        o.httpErrors++;
        o.errors.add("connection: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        o.errors.add("interrupted");
        break;
      }
    }
    o.endedAtMs = System.currentTimeMillis();
    return o;
  }

  private HttpRequest submit(URI base, String prompt) {
    ObjectNode body = JSON.createObjectNode().put("model", model).put("prompt", prompt).put("max_tokens", maxTokens)
        .put("temperature", 0).put("stream", true);
    return HttpRequest.newBuilder(base.resolve("/v1/completions")).timeout(Duration.ofSeconds(150))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
  }

  private static HttpRequest resume(URI base, String requestId, int lastEventId) {
    return HttpRequest.newBuilder(base.resolve("/v1/requests/" + requestId + "/stream?endpoint=completions"))
        .timeout(Duration.ofSeconds(150)).header("Last-Event-ID", String.valueOf(lastEventId)).GET().build();
  }

  /** Reads SSE events until [DONE]; a stream that ends or breaks before it leaves {@code completed} false. */
  private static void read(Stream<String> lines, Outcome o) throws IOException {
    Integer id = null;
    Iterator<String> it = lines.iterator();
    while (it.hasNext()) {
      String line = it.next();
      if (line.startsWith("id: ")) {
        id = Integer.valueOf(line.substring(4).trim());
      } else if (line.startsWith("data: ")) {
        String data = line.substring(6);
        o.eventAtMs.add(System.currentTimeMillis());
        if (data.equals("[DONE]")) {
          o.completed = o.errors.stream().noneMatch(e -> e.startsWith("event: "));
          return;
        }
        JsonNode event = JSON.readTree(data);
        if (event.has("error")) {
          o.httpErrors++;
          o.errors.add("event: " + event.get("error"));
        } else if (id != null && id > o.lastEventId) {
          o.text.append(event.path("choices").path(0).path("text").asText(""));
          o.lastEventId = id;
        }
        id = null;
      }
    }
    throw new IOException("the stream ended before [DONE] (after event " + o.lastEventId + ")");
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms); // a client's back-off before retrying
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
