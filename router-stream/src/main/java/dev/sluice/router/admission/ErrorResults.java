package dev.sluice.router.admission;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Timings;

/**
 * The ERROR results the router writes. A request the router ends before placing it has emitted no
 * TOKEN yet, so index 0; one it ends while in flight gets index maxTokens + 1 (see {@link #inFlightError}).
 */
public final class ErrorResults {
  private ErrorResults() {}

  public static final String INVALID_REQUEST = "invalid_request";
  public static final String MODEL_NOT_FOUND = "model_not_found";
  public static final String DEADLINE_EXCEEDED = "deadline_exceeded";
  public static final String NO_WORKERS = "no_workers";
  public static final String TOO_LARGE = "too_large";
  public static final String INTERNAL = "internal";

  public static ResultEvent error(String requestId, String model, String code, String message, long createdAtMs, long nowMs) {
    return error(requestId, model, code, message, 0, createdAtMs, nowMs);
  }

  /**
   * The ERROR that ends a request already on the pipeline. Its workers may have written TOKENs
   * 0..k and may still write up to index maxTokens (the DONE after maxTokens tokens), so the router
   * takes maxTokens + 1: never a duplicate index of a worker's event. Readers end the request at
   * the first DONE or ERROR they can release (an ERROR ends it even past a gap in the indexes).
   */
  public static ResultEvent inFlightError(String requestId, CharSequence model, String code, String message, int maxTokens,
      long createdAtMs, long nowMs) {
    return error(requestId, model == null ? null : model.toString(), code, message, maxTokens + 1, createdAtMs, nowMs);
  }

  private static ResultEvent error(String requestId, String model, String code, String message, int index, long createdAtMs,
      long nowMs) {
    return ResultEvent.newBuilder()
        .setRequestId(requestId)
        .setIndex(index)
        .setKind(ResultKind.ERROR)
        .setFinishReason(FinishReason.ERROR)
        .setErrorCode(code)
        .setErrorMessage(message)
        .setModel(model)
        .setTimings(Timings.newBuilder().setCreatedAtMs(createdAtMs).setDoneAtMs(nowMs).build())
        .setAtMs(nowMs)
        .build();
  }
}
