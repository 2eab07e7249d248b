package dev.sluice.worker;

import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The hot tier: per active request, this stage's preallocated K/V tensors and the bookkeeping
 * that makes replays safe (which attempt it is on, which prompt blocks it already stored).
 * Released when a request finishes here, when its lane moves away, or after an idle timeout
 * (non-last stages never learn that a request finished). Worker thread only.
 */
final class HotSequences implements AutoCloseable {
  static final class Hot {
    final SequenceKv kv;
    final int lane;
    /** Highest attempt seen; older records of this request are stale. */
    int attempt;
    /** Attempt of the last RECOMPUTE this stage ran, so a re-delivered RECOMPUTE runs once. */
    int recomputedAttempt = -1;
    /** Prompt tokens whose KV this stage imported from the block cache. */
    int cachedPrompt;
    /** Prompt blocks [0, storedBlocks) are already in the block cache. */
    int storedBlocks;
    long lastUsedMs;

    Hot(SequenceKv kv, int lane, int attempt, long now) {
      this.kv = kv;
      this.lane = lane;
      this.attempt = attempt;
      this.lastUsedMs = now;
    }
  }

  private final StageModel model;
  private final int maxActive;
  private final Map<String, Hot> byRequest = new HashMap<>();

  /** @param maxActive hot sequences kept at most; beyond it the least recently used one is released */
  HotSequences(StageModel model, int maxActive) {
    this.model = model;
    this.maxActive = maxActive;
  }

  Hot get(String requestId) {
    return byRequest.get(requestId);
  }

  /** A fresh, empty sequence (replacing any other one of the same request). */
  Hot create(String requestId, int lane, int capacity, int attempt, long now) {
    release(requestId);
    while (byRequest.size() >= maxActive) {
      // A released sequence that comes back is rebuilt from the block cache or by RECOMPUTE.
      String oldest = byRequest.entrySet().stream().min((a, b) -> Long.compare(a.getValue().lastUsedMs,
          b.getValue().lastUsedMs)).orElseThrow().getKey();
      release(oldest);
    }
    Hot hot = new Hot(model.newSequence(capacity), lane, attempt, now);
    byRequest.put(requestId, hot);
    return hot;
  }

  void release(String requestId) {
    Hot hot = byRequest.remove(requestId);
    if (hot != null) {
      hot.kv.close();
    }
  }

  void releaseIdle(long now, long idleMs) {
    releaseIf(h -> now - h.lastUsedMs > idleMs);
  }

  void releaseLanes(Collection<Integer> lanes) {
    releaseIf(h -> lanes.contains(h.lane));
  }

  /** Sequences used at or after {@code sinceMs}: roughly the steps this stage expects to come back. */
  int recentlyUsed(long sinceMs) {
    int n = 0;
    for (Hot h : byRequest.values()) {
      if (h.lastUsedMs >= sinceMs) {
        n++;
      }
    }
    return n;
  }

  int size() {
    return byRequest.size();
  }

  private void releaseIf(java.util.function.Predicate<Hot> test) {
    Iterator<Hot> it = byRequest.values().iterator();
    while (it.hasNext()) {
      Hot h = it.next();
      if (test.test(h)) {
        it.remove();
        h.kv.close();
      }
    }
  }

  @Override
  public void close() {
    releaseIf(h -> true);
  }
}
