package dev.sluice.worker.step;

import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The hot tier: per active request, this stage's preallocated K/V tensors and the bookkeeping
 * that makes replays safe (which attempt it is on, which prompt blocks it already stored).
 *
 * <p>Held within a byte budget ({@code hot_kv_mb}): a sequence costs its preallocated capacity ×
 * layers × 2 (K and V) × KV heads × head size × 4 bytes, so a few full-context sequences weigh as
 * much as many short ones. Creating a sequence beyond the budget releases the least recently used
 * ones first (a released sequence that comes back is rebuilt from the block cache or by RECOMPUTE);
 * sequences touched in the current step are never released for another one. Sequences are also
 * released when a request finishes here, when its lane moves away, or after an idle timeout (stages
 * before the last never learn that a request finished). Compute thread only.
 */
public final class HotSequences implements AutoCloseable {
  /** One request's hot KV and replay bookkeeping. */
  public static final class Hot {
    final SequenceKv kv;
    final int lane;
    final long bytes;
    /** Highest attempt seen; older records of this request are stale. */
    int attempt;
    /** Attempt of the last RECOMPUTE this stage ran, so a re-delivered RECOMPUTE runs once. */
    int recomputedAttempt = -1;
    /** Prompt tokens whose KV this stage imported from the block cache. */
    int cachedPrompt;
    /** Prompt blocks [0, storedBlocks) are already in the block cache. */
    int storedBlocks;
    long lastUsedMs;

    Hot(SequenceKv kv, int lane, long bytes, int attempt, long now) {
      this.kv = kv;
      this.lane = lane;
      this.bytes = bytes;
      this.attempt = attempt;
      this.lastUsedMs = now;
    }
  }

  private final StageModel model;
  private final long budgetBytes;
  private final long bytesPerPosition;
  private final Map<String, Hot> byRequest = new HashMap<>();
  private long usedBytes;

  /** @param budgetBytes bytes of hot KV kept at most (hot_kv_mb) */
  public HotSequences(StageModel model, long budgetBytes) {
    this.model = model;
    this.budgetBytes = budgetBytes;
    this.bytesPerPosition = model.kvBytesPerPosition();
  }

  /** Bytes one sequence of {@code capacity} positions takes. */
  public long bytesFor(int capacity) {
    return capacity * bytesPerPosition;
  }

  /** Whether this stage holds hot KV of the request. */
  public boolean holds(String requestId) {
    return byRequest.containsKey(requestId);
  }

  Hot get(String requestId) {
    return byRequest.get(requestId);
  }

  /**
   * A fresh, empty sequence (replacing any other one of the same request), after releasing least
   * recently used sequences not touched at {@code now} until it fits the budget.
   *
   * @throws IllegalArgumentException when the sequence alone exceeds the whole budget
   */
  Hot create(String requestId, int lane, int capacity, int attempt, long now) {
    release(requestId);
    long bytes = bytesFor(capacity);
    if (bytes > budgetBytes) {
      throw new IllegalArgumentException("a sequence of " + capacity + " positions needs " + bytes / (1024 * 1024)
          + " MiB of hot KV at this stage but the budget (hot_kv_mb) is " + budgetBytes / (1024 * 1024) + " MiB");
    }
    while (usedBytes + bytes > budgetBytes) {
      Hot oldest = null;
      String oldestId = null;
      for (Map.Entry<String, Hot> e : byRequest.entrySet()) {
        Hot h = e.getValue();
        if (h.lastUsedMs < now && (oldest == null || h.lastUsedMs < oldest.lastUsedMs)) {
          oldest = h;
          oldestId = e.getKey();
        }
      }
      if (oldestId == null) {
        break; // everything is in this step: go over the budget until the step ends
      }
      release(oldestId);
    }
    Hot hot = new Hot(model.newSequence(capacity), lane, bytes, attempt, now);
    byRequest.put(requestId, hot);
    usedBytes += bytes;
    return hot;
  }

  void release(String requestId) {
    Hot hot = byRequest.remove(requestId);
    if (hot != null) {
      free(hot);
    }
  }

  /** Releases sequences untouched for {@code idleMs}. */
  public void releaseIdle(long now, long idleMs) {
    releaseIf(h -> now - h.lastUsedMs > idleMs);
  }

  /** Releases the sequences of lanes this worker no longer owns. */
  public void releaseLanes(Collection<Integer> lanes) {
    releaseIf(h -> lanes.contains(h.lane));
  }

  /** Releases every sequence (after an aborted transaction: the re-run rebuilds them). */
  public void releaseAll() {
    releaseIf(h -> true);
  }

  /** Sequences used at or after {@code sinceMs}: roughly the steps this stage expects to come back. */
  public int recentlyUsed(long sinceMs) {
    int n = 0;
    for (Hot h : byRequest.values()) {
      if (h.lastUsedMs >= sinceMs) {
        n++;
      }
    }
    return n;
  }

  public int size() {
    return byRequest.size();
  }

  public long usedBytes() {
    return usedBytes;
  }

  private void releaseIf(Predicate<Hot> test) {
    Iterator<Hot> it = byRequest.values().iterator();
    while (it.hasNext()) {
      Hot h = it.next();
      if (test.test(h)) {
        it.remove();
        free(h);
      }
    }
  }

  private void free(Hot h) {
    usedBytes -= h.bytes;
    h.kv.close();
  }

  @Override
  public void close() {
    releaseAll();
  }
}
