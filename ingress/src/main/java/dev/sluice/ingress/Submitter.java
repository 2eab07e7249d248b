package dev.sluice.ingress;

import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.GenerationRequest;
import dev.sluice.results.Completion;
import dev.sluice.results.TokenDelta;
import dev.sluice.results.client.ReplyPartitionLostException;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.schemas.InferenceRequest;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits a validated request through the {@link SluiceClient}. A request whose reply partition moved
 * to another ingress instance (a scale-out rebalance) is submitted once more under a new request id,
 * as long as nothing of it was sent to the client yet; the first copy's results then go unread.
 */
final class Submitter {
  private static final Logger log = LoggerFactory.getLogger(Submitter.class);
  static final int MAX_ATTEMPTS = 2;

  private final IngressSettings settings;
  private final SluiceClient client;

  Submitter(IngressSettings settings, SluiceClient client) {
    this.settings = settings;
    this.client = client;
  }

  /**
   * @param requestId holds the request's id, updated when it is submitted again
   * @param nothingSent whether a new attempt is still possible (nothing was sent to the client)
   */
  CompletableFuture<Completion> submit(GenerationRequest g, AtomicReference<String> requestId, Consumer<TokenDelta> onToken,
      BooleanSupplier nothingSent) {
    return attempt(g, requestId, onToken, nothingSent, 1);
  }

  private CompletableFuture<Completion> attempt(GenerationRequest g, AtomicReference<String> requestId,
      Consumer<TokenDelta> onToken, BooleanSupplier nothingSent, int attempt) {
    return client.submit(toInference(g, requestId.get()), onToken).handle((completion, error) -> {
      Throwable cause = unwrap(error);
      if (cause instanceof ReplyPartitionLostException && attempt < MAX_ATTEMPTS && nothingSent.getAsBoolean()) {
        log.info("re-submitting after a results rebalance: {}", cause.getMessage());
        requestId.set(UUID.randomUUID().toString());
        return attempt(g, requestId, onToken, nothingSent, attempt + 1);
      }
      return cause == null ? CompletableFuture.completedFuture(completion) : CompletableFuture.<Completion>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  /** Asks the pipeline to stop the request; completes once the broker has the cancel. */
  CompletableFuture<Void> cancelAcknowledged(String requestId, String reason) {
    return client.cancel(requestId, reason);
  }

  /** Asks the pipeline to stop the request; a failure to send is logged, not thrown. */
  void cancel(String requestId, String reason) {
    client.cancel(requestId, reason).whenComplete((v, e) -> {
      if (e != null) log.warn("cannot send the cancel of {}: {}", requestId, e.toString());
    });
  }

  private InferenceRequest toInference(GenerationRequest g, String requestId) {
    long now = System.currentTimeMillis();
    return InferenceRequest.newBuilder()
        .setRequestId(requestId)
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

  static Throwable unwrap(Throwable error) {
    while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  /** The HTTP answer to a failure of the client (not an ERROR result). */
  static ApiError toApiError(Throwable error) {
    error = unwrap(error);
    if (error instanceof ApiError e) return e;
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
}
