package dev.sluice.ingress;

import dev.sluice.ingress.http.SseStream;
import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.OpenAiJson;
import dev.sluice.results.Completion;
import dev.sluice.results.TokenDelta;

/**
 * The OpenAI chunks of one streamed request as server-sent events. Every event that carries a result
 * carries its index as the SSE {@code id:} (token deltas 0, 1, 2…; the final chunk the index of the
 * DONE), so a client that reconnects with {@code Last-Event-ID} gets exactly the rest. The usage
 * chunk and {@code [DONE]} belong to the final result and carry no id of their own.
 *
 * @param afterIndex results up to this index were sent before (a resumed stream); -1 for a new one
 */
record StreamAnswer(SseStream sse, boolean chat, String model, long createdSec, boolean includeUsage, int afterIndex) {

  void token(TokenDelta d) {
    sse.event(d.index(), OpenAiJson.chunk(chat, model, createdSec, d.requestId(), d.text(), d.index() == 0).toString());
  }

  void finish(Completion c) {
    if (c.isError()) {
      sse.event(c.tokenEvents(), OpenAiJson.error(ApiError.fromResultCode(c.errorCode(), c.errorMessage())).toString());
    } else {
      if (c.tokenEvents() > afterIndex) sse.event(c.tokenEvents(), OpenAiJson.finalChunk(chat, model, createdSec, c).toString());
      if (includeUsage) sse.event(null, OpenAiJson.usageChunk(chat, model, createdSec, c).toString());
    }
    sse.event(null, "[DONE]");
    sse.end();
  }

  void fail(Throwable error) {
    sse.event(null, OpenAiJson.error(Submitter.toApiError(error)).toString());
    sse.event(null, "[DONE]");
    sse.end();
  }
}
