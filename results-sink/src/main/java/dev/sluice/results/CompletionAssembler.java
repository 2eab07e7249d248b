package dev.sluice.results;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Timings;
import dev.sluice.schemas.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns ResultEvents into token deltas and completions.
 *
 * <p>Delivery is at least once and a retried step may repeat results, so events are de-duplicated
 * by (requestId, index). Events are released strictly in index order: an event that arrives early
 * waits until every lower index has arrived, so a streaming caller sees each token exactly once
 * and in order, and the completion comes after all of its tokens. Finished request ids are
 * remembered (a bounded, oldest-first set) so that late duplicates of a finished request are
 * dropped instead of opening a new one.
 *
 * <p>The first terminal event wins: a DONE or ERROR released in order ends the request, and an ERROR
 * also ends it past a gap in the indexes (the router ends a request it had on the pipeline with an
 * ERROR at index maxTokens + 1 when a stage lost every worker: the tokens it could not have seen
 * yet no longer matter). Anything of the request that comes later — a late DONE from a worker that
 * recovered included — is dropped as a duplicate.
 *
 * <p>Thread-safe (every method is synchronized); cheap enough for one results consumer.
 */
public final class CompletionAssembler {
  /** What one event released: zero or more deltas in order, then possibly the completion. */
  public record Released(List<TokenDelta> deltas, Completion completion) {
    static final Released NOTHING = new Released(List.of(), null);

    public boolean isEmpty() {
      return deltas.isEmpty() && completion == null;
    }
  }

  private static final int DEFAULT_FINISHED_MEMORY = 100_000;

  private final Map<String, OpenRequest> open = new HashMap<>();
  private final Map<String, Boolean> finished;
  private long duplicates;

  public CompletionAssembler() {
    this(DEFAULT_FINISHED_MEMORY);
  }

  /** @param finishedMemory how many finished request ids to remember for dropping late duplicates */
  public CompletionAssembler(int finishedMemory) {
    this.finished = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > finishedMemory;
      }
    };
  }

  public synchronized Released accept(ResultEvent event) {
    String requestId = event.getRequestId().toString();
    if (finished.containsKey(requestId)) {
      duplicates++;
      return Released.NOTHING;
    }
    OpenRequest request = open.computeIfAbsent(requestId, OpenRequest::new);
    if (event.getIndex() < request.nextIndex || request.waiting.containsKey(event.getIndex())) {
      duplicates++;
      return Released.NOTHING;
    }
    request.waiting.put(event.getIndex(), event);
    Released released = request.release();
    if (released.completion() == null && event.getKind() == ResultKind.ERROR) {
      released = new Released(released.deltas(), request.complete(event));
    }
    if (released.completion() != null) {
      open.remove(requestId);
      finished.put(requestId, Boolean.TRUE);
    }
    return released;
  }

  /** Drops what is known of a request (e.g. its waiter gave up); later events of it open it anew. */
  public synchronized void forget(String requestId) {
    open.remove(requestId);
  }

  /** Requests with events but no final result yet. */
  public synchronized int openRequests() {
    return open.size();
  }

  /** Events dropped because their (requestId, index) had been seen already. */
  public synchronized long duplicates() {
    return duplicates;
  }

  private static final class OpenRequest {
    final String requestId;
    final TreeMap<Integer, ResultEvent> waiting = new TreeMap<>();
    final List<Integer> tokenIds = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    int nextIndex;

    OpenRequest(String requestId) {
      this.requestId = requestId;
    }

    Released release() {
      List<TokenDelta> deltas = new ArrayList<>();
      while (waiting.containsKey(nextIndex)) {
        ResultEvent event = waiting.remove(nextIndex);
        if (event.getKind() != ResultKind.TOKEN) {
          return new Released(deltas, complete(event));
        }
        TokenDelta delta = new TokenDelta(requestId, nextIndex, List.copyOf(event.getTokenIds()), event.getText().toString());
        tokenIds.addAll(delta.tokenIds());
        text.append(delta.text());
        deltas.add(delta);
        nextIndex++;
      }
      return deltas.isEmpty() ? Released.NOTHING : new Released(deltas, null);
    }

    private Completion complete(ResultEvent last) {
      boolean error = last.getKind() == ResultKind.ERROR;
      FinishReason reason = last.getFinishReason() != null ? last.getFinishReason() : error ? FinishReason.ERROR : FinishReason.STOP;
      // DONE carries the whole text; fall back to the deltas if a writer left it empty.
      String doneText = last.getText().toString();
      String fullText = error ? "" : doneText.isEmpty() ? text.toString() : doneText;
      Usage usage = last.getUsage();
      Timings timings = last.getTimings();
      long doneAt = timings != null && timings.getDoneAtMs() > 0 ? timings.getDoneAtMs() : last.getAtMs();
      return new Completion(
          requestId,
          last.getModel() == null ? null : last.getModel().toString(),
          fullText,
          tokenIds,
          reason,
          usage == null ? 0 : usage.getPromptTokens(),
          usage == null ? 0 : usage.getCachedPromptTokens(),
          usage == null ? tokenIds.size() : usage.getCompletionTokens(),
          nextIndex,
          timings == null ? 0 : timings.getCreatedAtMs(),
          timings == null ? 0 : timings.getFirstTokenAtMs(),
          doneAt,
          last.getErrorCode() == null ? null : last.getErrorCode().toString(),
          last.getErrorMessage() == null ? null : last.getErrorMessage().toString());
    }
  }
}
