package dev.sluice.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.GenerationRequest;
import dev.sluice.ingress.openai.OpenAiJson;
import dev.sluice.results.Completion;
import dev.sluice.results.TokenDelta;
import dev.sluice.results.client.ReplyPartitionLostException;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.schemas.InferenceRequest;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /v1/completions} and {@code /v1/chat/completions}: validates, submits the request
 * to Kafka through the {@link SluiceClient}, and answers with the completion or a stream of
 * server-sent events. The HTTP thread waits for the results (Jetty's pool is larger than
 * {@code max_in_flight}), which keeps the streaming code a plain loop.
 *
 * <p>A rebalance that moves a waiting request's reply partition away re-submits it once (see
 * {@link #MAX_ATTEMPTS}); a stream that already sent tokens ends with an error event instead.
 *
 * <p>A streaming response holds its status line until the first result arrives, so a request the
 * pipeline rejects before any token (invalid, unknown model, no workers) still gets its proper HTTP
 * status; an error after tokens were sent is written as a final {@code data: {"error":...}} event.
 */
final class GenerationHandler {
  private static final Logger log = LoggerFactory.getLogger(GenerationHandler.class);
  /**
   * A request whose reply partition moved to another ingress instance (a scale-out rebalance) is
   * submitted once more under a new request id; the first copy's results then go unread.
   */
  private static final int MAX_ATTEMPTS = 2;

  private final IngressSettings settings;
  private final SluiceClient client;
  private final IngressMetrics metrics;
  private final Supplier<Set<String>> servedModels;
  private final Semaphore slots;

  GenerationHandler(IngressSettings settings, SluiceClient client, IngressMetrics metrics, Supplier<Set<String>> servedModels) {
    this.settings = settings;
    this.client = client;
    this.metrics = metrics;
    this.servedModels = servedModels;
    this.slots = new Semaphore(settings.maxInFlight());
  }

  void handle(Context ctx, boolean chat) {
    String endpoint = chat ? "chat_completions" : "completions";
    try {
      GenerationRequest request = parse(ctx, chat);
      if (!servedModels.get().contains(request.model())) {
        throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
            "The model '" + request.model() + "' does not exist; served: " + String.join(", ", servedModels.get()));
      }
      if (!slots.tryAcquire()) {
        throw new ApiError(429, "rate_limit_error", "too_many_requests", null,
            "too many requests in flight (max " + settings.maxInFlight() + "); retry later");
      }
      metrics.inFlight.inc();
      try {
        if (request.stream()) stream(ctx, endpoint, request); else respond(ctx, endpoint, request);
      } finally {
        metrics.inFlight.dec();
        slots.release();
      }
    } catch (ApiError e) {
      IngressServer.writeError(ctx, e);
    } finally {
      metrics.requests.labelValues(endpoint, Integer.toString(ctx.statusCode())).inc();
    }
  }

  private GenerationRequest parse(Context ctx, boolean chat) {
    if (ctx.contentLength() > settings.maxBodyBytes()) {
      throw new ApiError(413, "invalid_request_error", "too_large", null,
          "request body of " + ctx.contentLength() + " bytes exceeds the limit of " + settings.maxBodyBytes());
    }
    JsonNode body;
    try {
      body = OpenAiJson.MAPPER.readTree(ctx.bodyAsBytes());
    } catch (JsonProcessingException e) {
      throw ApiError.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.invalid(null, "cannot read the body: " + e.getMessage());
    }
    return chat
        ? GenerationRequest.chat(body, settings.modelName(), settings.defaultMaxTokens(), settings.chatTemplate(),
            settings.samplingDefaults())
        : GenerationRequest.completion(body, settings.modelName(), settings.defaultMaxTokens(), settings.samplingDefaults());
  }

  private InferenceRequest toInference(GenerationRequest g) {
    long now = System.currentTimeMillis();
    return InferenceRequest.newBuilder()
        .setRequestId(UUID.randomUUID().toString())
        .setModel(g.model())
        .setPrompt(g.prompt())
        .setPromptTokens(g.promptTokens())
        .setMaxTokens(g.maxTokens())
        .setTemperature(g.temperature())
        .setTopP(g.topP())
        .setTopK(g.topK())
        .setStop(g.stop())
        .setSeed(g.seed())
        .setStream(g.stream())
        .setCacheSalt(g.cacheSalt())
        .setCreatedAtMs(now)
        .setDeadlineMs(now + settings.requestTimeout().toMillis())
        .build();
  }

  private void respond(Context ctx, String endpoint, GenerationRequest g) {
    long start = System.nanoTime();
    AtomicBoolean first = new AtomicBoolean(true);
    Completion completion = null;
    for (int attempt = 1; completion == null; attempt++) {
      CompletableFuture<Completion> future = client.submit(toInference(g), delta -> {
        if (first.getAndSet(false)) metrics.timeToFirstToken.labelValues(endpoint).observe(secondsSince(start));
      });
      try {
        completion = future.get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof ReplyPartitionLostException) || attempt >= MAX_ATTEMPTS) throw toApiError(e.getCause());
        log.info("re-submitting after a results rebalance: {}", e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ApiError(503, "service_unavailable_error", "shutting_down", null, "the ingress is shutting down");
      }
    }
    finished(endpoint, start, completion);
    if (completion.isError()) throw ApiError.fromResultCode(completion.errorCode(), completion.errorMessage());
    long created = completion.createdAtMs() > 0 ? completion.createdAtMs() / 1000 : System.currentTimeMillis() / 1000;
    ctx.status(200).contentType("application/json")
        .result(OpenAiJson.completion(g.chat(), g.model(), created, completion).toString());
  }

  private void stream(Context ctx, String endpoint, GenerationRequest g) {
    long start = System.nanoTime();
    long created = System.currentTimeMillis() / 1000;
    BlockingQueue<Object> events;
    Object event;
    for (int attempt = 1; ; attempt++) {
      BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
      client.submit(toInference(g), queue::add).whenComplete((completion, error) -> queue.add(error != null ? error : completion));
      events = queue;
      event = next(events);
      // Nothing was sent yet, so a request whose reply partition moved can start over.
      if (!(event instanceof ReplyPartitionLostException) || attempt >= MAX_ATTEMPTS) break;
      log.info("re-submitting after a results rebalance: {}", ((Throwable) event).getMessage());
    }
    if (event instanceof Throwable error) throw toApiError(error);
    if (event instanceof Completion c && c.isError()) {
      finished(endpoint, start, c);
      throw ApiError.fromResultCode(c.errorCode(), c.errorMessage());
    }
    ctx.status(200);
    ctx.res().setContentType("text/event-stream");
    ctx.res().setCharacterEncoding("UTF-8");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("X-Accel-Buffering", "no"); // tell proxies not to buffer the stream
    try {
      OutputStream out = ctx.res().getOutputStream();
      boolean firstToken = true;
      while (true) {
        if (event instanceof TokenDelta delta) {
          if (firstToken) metrics.timeToFirstToken.labelValues(endpoint).observe(secondsSince(start));
          send(out, OpenAiJson.chunk(g.chat(), g.model(), created, delta.requestId(), delta.text(), firstToken).toString());
          firstToken = false;
        } else if (event instanceof Completion c) {
          finished(endpoint, start, c);
          if (c.isError()) {
            send(out, OpenAiJson.error(ApiError.fromResultCode(c.errorCode(), c.errorMessage())).toString());
          } else {
            send(out, OpenAiJson.finalChunk(g.chat(), g.model(), created, c).toString());
            if (g.includeUsage()) send(out, OpenAiJson.usageChunk(g.chat(), g.model(), created, c).toString());
          }
          break;
        } else {
          send(out, OpenAiJson.error(toApiError((Throwable) event)).toString());
          break;
        }
        event = next(events);
      }
      send(out, "[DONE]");
    } catch (IOException e) {
      // The client went away; the pipeline finishes the request anyway and its results are dropped.
      log.debug("stream client disconnected: {}", e.getMessage());
    }
  }

  private Object next(BlockingQueue<Object> events) {
    try {
      // The client's own timeout completes the future first; this bound only guards against a bug.
      Object event = events.poll(settings.requestTimeout().plus(IngressServer.DEADLINE_GRACE).toMillis() + 5_000, TimeUnit.MILLISECONDS);
      return event != null ? event : new TimeoutException("no result before the deadline");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  private static void send(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static ApiError toApiError(Throwable error) {
    if (error instanceof ExecutionException && error.getCause() != null) error = error.getCause();
    if (error instanceof TimeoutException) {
      return new ApiError(504, "timeout_error", "deadline_exceeded", null, "no result before the request's deadline");
    }
    if (error instanceof ReplyPartitionLostException) {
      return new ApiError(503, "service_unavailable_error", "reply_partition_moved", null, error.getMessage());
    }
    if (error instanceof IllegalStateException) {
      return new ApiError(503, "service_unavailable_error", "not_ready", null, error.getMessage());
    }
    log.warn("request failed", error);
    return new ApiError(500, "server_error", "internal", null, String.valueOf(error.getMessage()));
  }

  private void finished(String endpoint, long startNanos, Completion c) {
    metrics.latency.labelValues(endpoint).observe(secondsSince(startNanos));
    if (!c.isError()) {
      metrics.tokens.labelValues("prompt").inc(c.promptTokens());
      metrics.tokens.labelValues("cached").inc(c.cachedPromptTokens());
      metrics.tokens.labelValues("completion").inc(c.completionTokens());
    }
  }

  private static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
