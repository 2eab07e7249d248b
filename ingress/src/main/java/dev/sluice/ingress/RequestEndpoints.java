package dev.sluice.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ingress.http.ClientConnection;
import dev.sluice.ingress.http.DisconnectWatch;
import dev.sluice.ingress.http.SseStream;
import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.OpenAiJson;
import dev.sluice.results.replay.ResultsReplay;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Endpoints about a request already submitted, on any ingress instance (the request id is all they need):
 * <ul>
 *   <li>{@code POST /v1/requests/{id}/cancel} stops its generation at every stage; its waiter (if any)
 *       gets finish_reason {@code cancelled} with what was generated until then. 202 once the cancel is on Kafka.</li>
 *   <li>{@code GET /v1/requests/{id}/stream} with {@code Last-Event-ID: N} (or {@code ?last_event_id=N}) resumes
 *       its event stream after result N, read back from the results topic: the rest of the chunks, each once,
 *       then the final chunk and {@code [DONE]}. {@code ?endpoint=completions} gives completion chunks
 *       instead of chat chunks.</li>
 * </ul>
 * The id may be given bare or as the response id ({@code chatcmpl-ID}, {@code cmpl-ID}).
 */
final class RequestEndpoints {
  /** Results older than the longest a request may run are not searched. */
  private static final Duration LOOK_BACK_SLACK = Duration.ofSeconds(10);

  private final IngressSettings settings;
  private final Submitter submitter;
  private final ResultsReplay replay;
  private final DisconnectWatch disconnects;
  private final Executor writers;
  private final IngressMetrics metrics;

  RequestEndpoints(IngressSettings settings, Submitter submitter, ResultsReplay replay, DisconnectWatch disconnects,
      Executor writers, IngressMetrics metrics) {
    this.settings = settings;
    this.submitter = submitter;
    this.replay = replay;
    this.disconnects = disconnects;
    this.writers = writers;
    this.metrics = metrics;
  }

  static String requestId(Context ctx) {
    String id = ctx.pathParam("id");
    for (String prefix : new String[] {"chatcmpl-", "cmpl-"}) {
      if (id.startsWith(prefix)) return id.substring(prefix.length());
    }
    return id;
  }

  void cancel(Context ctx) throws Exception {
    String id = requestId(ctx);
    metrics.cancels.labelValues("client").inc();
    ctx.future(() -> submitterCancel(id).thenAccept(v -> {
      ObjectNode body = OpenAiJson.MAPPER.createObjectNode();
      body.put("id", id).put("object", "request.cancel").put("status", "cancelling");
      ctx.status(202).contentType("application/json").result(body.toString());
    }));
  }

  private CompletableFuture<Void> submitterCancel(String id) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    submitter.cancelAcknowledged(id, "client").orTimeout(10, TimeUnit.SECONDS).whenComplete((v, e) -> {
      if (e == null) {
        sent.complete(null);
      } else {
        sent.completeExceptionally(new ApiError(503, "service_unavailable_error", "not_ready", null,
            "cannot send the cancel: " + Submitter.unwrap(e).getMessage()));
      }
    });
    return sent;
  }

  void resume(Context ctx) {
    String id = requestId(ctx);
    int after = lastEventId(ctx);
    boolean chat = !"completions".equals(ctx.queryParam("endpoint"));
    Duration window = settings.requestTimeout().plus(IngressServer.DEADLINE_GRACE);
    long since = System.currentTimeMillis() - window.plus(LOOK_BACK_SLACK).toMillis();
    CompletableFuture<Void> answer = new CompletableFuture<>();
    ResultsReplay.Replay[] running = new ResultsReplay.Replay[1];
    SseStream sse = new SseStream(ctx, writers, () -> {
      if (running[0] != null) running[0].cancel();
      metrics.cancels.labelValues("client_disconnected").inc();
      submitter.cancel(id, "client_disconnected");
    });
    StreamAnswer chunks = new StreamAnswer(sse, chat, settings.modelName(), System.currentTimeMillis() / 1000, false, after);
    DisconnectWatch.Watch watch = disconnects.watch(ClientConnection.of(ctx), sse::clientGone);
    ctx.header(IngressServer.REQUEST_ID_HEADER, id);
    running[0] = replay.start(id, after, since, window, chunks::token);
    running[0].completion().whenComplete((completion, error) -> {
      if (error != null && !sse.started()) {
        watch.stop();
        answer.completeExceptionally(new ApiError(404, "invalid_request_error", "not_found", null,
            "no results of request " + id + " within " + window.toSeconds() + " s"));
        return;
      }
      if (error != null) chunks.fail(error); else chunks.finish(completion);
    });
    sse.finished().whenComplete((v, e) -> {
      watch.stop();
      answer.complete(null);
    });
    ctx.future(() -> answer);
  }

  private static int lastEventId(Context ctx) {
    String raw = ctx.header("Last-Event-ID");
    if (raw == null || raw.isBlank()) raw = ctx.queryParam("last_event_id");
    if (raw == null || raw.isBlank()) return -1;
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw ApiError.invalid("Last-Event-ID", "Last-Event-ID must be the integer id of the last event received: '" + raw + "'");
    }
  }
}
