package dev.sluice.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ingress.admission.KeyLimits;
import dev.sluice.ingress.admission.PipelineAdmission;
import dev.sluice.ingress.http.ClientConnection;
import dev.sluice.ingress.http.DisconnectWatch;
import dev.sluice.ingress.http.SseStream;
import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.GenerationRequest;
import dev.sluice.ingress.openai.OpenAiJson;
import dev.sluice.results.Completion;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Serves {@code /v1/completions} and {@code /v1/chat/completions}: validates, admits (the pipeline's
 * own queues: {@link PipelineAdmission}; the API key's limits: {@link KeyLimits}; in-flight slots), submits through the {@link Submitter}
 * and answers with the completion or a stream of server-sent events ({@link StreamAnswer}).
 *
 * <p>Asynchronous: a waiting request holds no server thread — results arrive on the results
 * consumer's thread, and stream events are written by a writer pool ({@link SseStream}). A client that
 * goes away before its answer (seen by {@link DisconnectWatch}, or by a failed write) has its request
 * cancelled, which stops the generation at every stage.
 *
 * <p>Errors before the first token are HTTP errors in the OpenAI shape; once a stream started, an
 * error is written as a final {@code data: {"error":...}} event.
 */
final class GenerationHandler {
  /** Status counted for a request whose client went away before its answer (nginx's convention). */
  static final int CLIENT_CLOSED = 499;

  private final IngressSettings settings;
  private final Submitter submitter;
  private final PipelineAdmission admission;
  private final KeyLimits keyLimits;
  private final DisconnectWatch disconnects;
  private final Executor writers;
  private final IngressMetrics metrics;
  private final Supplier<Set<String>> servedModels;
  private final Semaphore slots;

  GenerationHandler(IngressSettings settings, Submitter submitter, PipelineAdmission admission, KeyLimits keyLimits,
      DisconnectWatch disconnects, Executor writers, IngressMetrics metrics, Supplier<Set<String>> servedModels) {
    this.keyLimits = keyLimits;
    this.settings = settings;
    this.submitter = submitter;
    this.admission = admission;
    this.disconnects = disconnects;
    this.writers = writers;
    this.metrics = metrics;
    this.servedModels = servedModels;
    this.slots = new Semaphore(settings.maxInFlight());
  }

  void handle(Context ctx, boolean chat) {
    String endpoint = chat ? "chat_completions" : "completions";
    GenerationRequest request;
    KeyLimits.Charge charge;
    try {
      request = parse(ctx, chat);
      if (!servedModels.get().contains(request.model())) {
        throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
            "The model '" + request.model() + "' does not exist; served: " + String.join(", ", servedModels.get()));
      }
      admission.admit();
      String key = ctx.attribute(IngressServer.API_KEY_ATTRIBUTE);
      charge = keyLimits.admit(key == null ? KeyLimits.ANONYMOUS : key, estimatedTokens(request));
      if (!slots.tryAcquire()) {
        charge.refund();
        throw new ApiError(429, "rate_limit_error", "too_many_requests", null,
            "too many requests in flight (max " + settings.maxInFlight() + "); retry later").withRetryAfter(1);
      }
    } catch (ApiError e) {
      count(endpoint, e.status());
      throw e;
    }
    metrics.inFlight.inc();
    AtomicInteger status = new AtomicInteger(200);
    CompletableFuture<Void> answer = request.stream() ? stream(ctx, endpoint, request, status, charge)
        : respond(ctx, endpoint, request, status, charge);
    answer.whenComplete((v, error) -> {
      charge.settle(0); // no completion (a failure, a client gone): nothing was used that counts
      metrics.inFlight.dec();
      slots.release();
      count(endpoint, error instanceof ApiError e ? e.status() : error != null ? 500 : status.get());
    });
    ctx.future(() -> answer);
  }

  /** What a request is charged against its key's tokens per minute before it runs: max_tokens plus its prompt. */
  static long estimatedTokens(GenerationRequest g) {
    long prompt = g.promptTokens() != null ? g.promptTokens().size() : (g.prompt().length() + 3) / 4;
    return g.maxTokens() + prompt;
  }

  private void count(String endpoint, int status) {
    metrics.requests.labelValues(endpoint, Integer.toString(status)).inc();
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

  private CompletableFuture<Void> respond(Context ctx, String endpoint, GenerationRequest g, AtomicInteger status,
      KeyLimits.Charge charge) {
    long start = System.nanoTime();
    CompletableFuture<Void> answer = new CompletableFuture<>();
    AtomicReference<String> id = new AtomicReference<>(UUID.randomUUID().toString());
    AtomicBoolean first = new AtomicBoolean(true);
    DisconnectWatch.Watch watch = disconnects.watch(ClientConnection.of(ctx), () -> {
      if (answer.isDone()) return;
      cancel(id.get(), "client_disconnected");
      status.set(CLIENT_CLOSED);
      answer.complete(null);
    });
    submitter.submit(g, id, delta -> {
      if (first.getAndSet(false)) metrics.timeToFirstToken.labelValues(endpoint).observe(secondsSince(start));
    }, () -> true).whenComplete((completion, error) -> {
      watch.stop();
      if (answer.isDone()) return; // the client went away
      if (error != null) {
        answer.completeExceptionally(Submitter.toApiError(error));
        return;
      }
      finished(endpoint, start, completion, charge);
      if (completion.isError()) {
        answer.completeExceptionally(ApiError.fromResultCode(completion.errorCode(), completion.errorMessage()));
        return;
      }
      long created = completion.createdAtMs() > 0 ? completion.createdAtMs() / 1000 : System.currentTimeMillis() / 1000;
      if (watch.pipelined()) ctx.header("Connection", "close");
      ctx.header(IngressServer.REQUEST_ID_HEADER, completion.requestId());
      ctx.status(200).contentType("application/json")
          .result(OpenAiJson.completion(g.chat(), g.model(), created, completion).toString());
      answer.complete(null);
    });
    return answer;
  }

  private CompletableFuture<Void> stream(Context ctx, String endpoint, GenerationRequest g, AtomicInteger status,
      KeyLimits.Charge charge) {
    long start = System.nanoTime();
    CompletableFuture<Void> answer = new CompletableFuture<>();
    AtomicReference<String> id = new AtomicReference<>(UUID.randomUUID().toString());
    SseStream sse = new SseStream(ctx, writers, () -> {
      cancel(id.get(), "client_disconnected");
      status.set(CLIENT_CLOSED);
    });
    StreamAnswer chunks = new StreamAnswer(sse, g.chat(), g.model(), System.currentTimeMillis() / 1000, g.includeUsage(), -1);
    DisconnectWatch.Watch watch = disconnects.watch(ClientConnection.of(ctx), sse::clientGone);
    submitter.submit(g, id, delta -> {
      if (!sse.started()) {
        metrics.timeToFirstToken.labelValues(endpoint).observe(secondsSince(start));
        ctx.header(IngressServer.REQUEST_ID_HEADER, id.get());
      }
      chunks.token(delta);
    }, () -> !sse.started()).whenComplete((completion, error) -> {
      if (completion != null) finished(endpoint, start, completion, charge);
      if (!sse.started() && !sse.isClientGone()) { // nothing sent yet: a plain HTTP error is still possible
        ApiError failure = error != null ? Submitter.toApiError(error)
            : completion.isError() ? ApiError.fromResultCode(completion.errorCode(), completion.errorMessage()) : null;
        if (failure != null) {
          watch.stop();
          answer.completeExceptionally(failure);
          return;
        }
        ctx.header(IngressServer.REQUEST_ID_HEADER, id.get());
      }
      if (error != null) chunks.fail(error); else chunks.finish(completion);
    });
    sse.finished().whenComplete((v, e) -> {
      watch.stop();
      answer.complete(null);
    });
    return answer;
  }

  private void cancel(String requestId, String reason) {
    metrics.cancels.labelValues(reason).inc();
    submitter.cancel(requestId, reason);
  }

  private void finished(String endpoint, long startNanos, Completion c, KeyLimits.Charge charge) {
    charge.settle(c.promptTokens() + c.completionTokens());
    metrics.latency.labelValues(endpoint).observe(secondsSince(startNanos));
    if (!c.isError()) {
      metrics.tokens.labelValues("prompt").inc(c.promptTokens());
      metrics.tokens.labelValues("cached").inc(c.cachedPromptTokens());
      metrics.tokens.labelValues("completion").inc(c.completionTokens());
    }
  }

  static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
