package dev.sluice.router.admission;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Timings;

/** The ERROR results the router writes; a request the router ends has emitted no TOKEN yet, so index 0. */
public final class ErrorResults {
  private ErrorResults() {}

  public static final String INVALID_REQUEST = "invalid_request";
  public static final String MODEL_NOT_FOUND = "model_not_found";
  public static final String DEADLINE_EXCEEDED = "deadline_exceeded";
  public static final String NO_WORKERS = "no_workers";
  public static final String TOO_LARGE = "too_large";
  public static final String INTERNAL = "internal";

  public static ResultEvent error(String requestId, String model, String code, String message, long createdAtMs, long nowMs) {
    return ResultEvent.newBuilder()
        .setRequestId(requestId)
        .setIndex(0)
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
