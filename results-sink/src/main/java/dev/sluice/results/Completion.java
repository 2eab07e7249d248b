package dev.sluice.results;

import dev.sluice.schemas.FinishReason;
import java.util.List;

/**
 * A finished request, assembled from its TOKEN results and its one DONE or ERROR result.
 *
 * @param text the whole completion (from DONE); empty for ERROR
 * @param tokenIds the generated token ids, in order, from the TOKEN results
 * @param finishReason STOP, LENGTH, ERROR or CANCELLED
 * @param tokenEvents how many TOKEN results preceded the final one (= the final result's index)
 * @param createdAtMs when the client created the request (epoch ms; 0 = unknown)
 * @param firstTokenAtMs when the first token was sampled (epoch ms; 0 = none)
 * @param doneAtMs when the final result was produced (epoch ms)
 * @param errorCode invalid_request, model_not_found, deadline_exceeded, no_workers, too_large or internal; null unless ERROR
 */
public record Completion(
    String requestId,
    String model,
    String text,
    List<Integer> tokenIds,
    FinishReason finishReason,
    int promptTokens,
    int cachedPromptTokens,
    int completionTokens,
    int tokenEvents,
    long createdAtMs,
    long firstTokenAtMs,
    long doneAtMs,
    String errorCode,
    String errorMessage) {

  public Completion {
    tokenIds = List.copyOf(tokenIds);
  }

  public boolean isError() {
    return finishReason == FinishReason.ERROR;
  }

  /** True when the request was cancelled (a DONE with finish reason CANCELLED): the text is what was generated until then. */
  public boolean isCancelled() {
    return finishReason == FinishReason.CANCELLED;
  }

  /** Milliseconds from creation to the final result; -1 when the creation time is unknown. */
  public long latencyMs() {
    return createdAtMs > 0 && doneAtMs >= createdAtMs ? doneAtMs - createdAtMs : -1;
  }

  /** Milliseconds from creation to the first token; -1 when unknown. */
  public long timeToFirstTokenMs() {
    return createdAtMs > 0 && firstTokenAtMs >= createdAtMs ? firstTokenAtMs - createdAtMs : -1;
  }
}
