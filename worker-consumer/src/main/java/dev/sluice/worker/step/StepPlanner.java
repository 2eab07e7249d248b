package dev.sluice.worker.step;

import dev.sluice.model.ActivationBytes;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.worker.cache.BlockCache;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, per record, what the stage computes: nothing (a replay, a stale attempt, a request that
 * already ended), the record's new positions (after importing cached prompt blocks), a rebuild from
 * position 0 (RECOMPUTE), or — when KV is missing at a later stage — a RECOMPUTE request to stage 0.
 *
 * <p>Positions rule everything: a record carries [startPos, endPos); this stage holds KV for
 * [0, hot length). endPos <= hot length means the step was done already (a replay) and is dropped;
 * startPos > hot length means KV is missing: the block cache may fill the gap, else stage 0
 * rebuilds the sequence from its token ids (RECOMPUTE, with a higher attempt number so every stage
 * ignores the older records still in flight).
 */
final class StepPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(StepPlanner.class);

  /** A record the step will compute: positions [from, to) of its sequence. */
  record Planned(StageWork work, int source, HotSequences.Hot hot, int from, int to, boolean recompute,
      StepInput input) {}

  private final StageModel model;
  private final int stage;
  private final String stage0Topic;
  private final BlockCache cache;
  private final int blockSize;
  private final HotSequences hot;
  private final ResultEmitter emitter;
  private final StepCounters counters;

  StepPlanner(StageModel model, int stage, String stage0Topic, BlockCache cache, int blockSize, HotSequences hot,
      ResultEmitter emitter, StepCounters counters) {
    this.model = model;
    this.stage = stage;
    this.stage0Topic = stage0Topic;
    this.cache = cache;
    this.blockSize = blockSize;
    this.hot = hot;
    this.emitter = emitter;
    this.counters = counters;
  }

  /** What to compute for one record; null when it is dropped or answered without compute. */
  Planned plan(StageWork w, int source, List<Outgoing> out, long now) {
    String id = w.getRequestId();
    if (emitter.finished(id)) {
      return null; // ended already: a replay
    }
    if (model.isLast() && w.getDeadlineMs() != null && now > w.getDeadlineMs()) {
      fail(w, source, "deadline_exceeded", "the request passed its deadline before finishing", out, now);
      return null;
    }
    if (w.getEndPos() > model.config().maxPositions() || w.getTokenIds().size() > model.config().maxPositions()) {
      fail(w, source, "too_large", "the sequence needs " + w.getEndPos() + " positions but the model's context is "
          + model.config().maxPositions(), out, now);
      return null;
    }
    HotSequences.Hot seq = hot.get(id);
    if (w.getKind() == WorkKind.RECOMPUTE) {
      if (seq != null && w.getAttempt() <= seq.recomputedAttempt) {
        return null; // this rebuild ran already
      }
      return rebuild(w, source, seq, w.getAttempt(), out, now);
    }
    if (seq != null && w.getAttempt() < seq.attempt) {
      return null; // stale: a RECOMPUTE with a newer attempt replaces this path
    }
    if (seq == null) {
      seq = create(w, source, capacityFor(w), w.getAttempt(), out, now);
      if (seq == null) {
        return null;
      }
    }
    seq.attempt = Math.max(seq.attempt, w.getAttempt());
    seq.lastUsedMs = now;
    if (w.getEndPos() <= seq.kv.length()) {
      counters.duplicateDropped();
      return null; // forwarded already (a replay after a crash or rebalance)
    }
    // The last prompt position is always computed (its logits are needed), and at the last stage
    // the record's last position too.
    int limit = Math.min(w.getPromptLength() - 1, model.isLast() ? w.getEndPos() - 1 : w.getEndPos());
    importCachedBlocks(w, seq, limit);
    int from = seq.kv.length();
    if (from < w.getStartPos()) {
      int attempt = seq.attempt + 1;
      if (model.isFirst()) {
        return rebuild(w, source, seq, attempt, out, now);
      }
      // Missing KV that the cache cannot give: stage 0 rebuilds the sequence from its token ids.
      seq.attempt = attempt;
      counters.recomputeRequested();
      out.add(new Outgoing(stage0Topic, w.getLane(), id, recomputeRequest(w, attempt), source));
      return null;
    }
    if (from >= w.getEndPos()) {
      return null; // every position of this chunk came from the cache; the next chunk carries on
    }
    return new Planned(w, source, seq, from, w.getEndPos(), false, input(w, seq, from, w.getEndPos()));
  }

  /** Resets the sequence and computes [0, end) — a RECOMPUTE. */
  private Planned rebuild(StageWork w, int source, HotSequences.Hot seq, int attempt, List<Outgoing> out, long now) {
    int end = w.getKind() == WorkKind.RECOMPUTE ? w.getEndPos() : w.getTokenIds().size();
    if (model.isFirst() && w.getTokenIds().size() < end || !model.isFirst() && w.getHidden() == null) {
      LOG.warn("stage {}: cannot rebuild {} (no inputs for [0, {}))", stage, w.getRequestId(), end);
      return null;
    }
    int capacity = Math.min(Math.max(capacityFor(w), end + 1), model.config().maxPositions());
    if (seq == null || seq.kv.capacity() < capacity) {
      seq = create(w, source, capacity, attempt, out, now);
      if (seq == null) {
        return null;
      }
    }
    seq.kv.truncate(0);
    seq.attempt = Math.max(seq.attempt, attempt);
    seq.recomputedAttempt = attempt;
    seq.cachedPrompt = 0;
    seq.lastUsedMs = now;
    counters.recomputeRan();
    StageWork rebuilt = w.getKind() == WorkKind.RECOMPUTE ? w
        : StageWork.newBuilder(w).setKind(WorkKind.RECOMPUTE).setStartPos(0).setEndPos(end).setAttempt(attempt)
            .setLastPromptChunk(end >= w.getPromptLength()).build();
    return new Planned(rebuilt, source, seq, 0, end, true, input(rebuilt, seq, 0, end));
  }

  private HotSequences.Hot create(StageWork w, int source, int capacity, int attempt, List<Outgoing> out, long now) {
    try {
      return hot.create(w.getRequestId(), w.getLane(), capacity, attempt, now);
    } catch (IllegalArgumentException tooBig) {
      fail(w, source, "too_large", tooBig.getMessage(), out, now);
      return null;
    }
  }

  private StageWork recomputeRequest(StageWork w, int attempt) {
    int end = w.getTokenIds().size();
    return StageWork.newBuilder(w)
        .setKind(WorkKind.RECOMPUTE)
        .setStartPos(0)
        .setEndPos(end)
        .setHidden(null)
        .setAttempt(attempt)
        .setLastPromptChunk(end >= w.getPromptLength())
        .setStamps(new ArrayList<>())
        .build();
  }

  /** The model input for positions [from, to) of the record (tokens at stage 0, else hidden rows). */
  private StepInput input(StageWork w, HotSequences.Hot seq, int from, int to) {
    if (model.isFirst()) {
      int[] ids = new int[to - from];
      for (int i = from; i < to; i++) {
        ids[i - from] = w.getTokenIds().get(i);
      }
      return StepInput.ofTokens(seq.kv, ids);
    }
    float[] all = ActivationBytes.fromBytes(bytes(w.getHidden().getData())); // [endPos - startPos, hidden]
    int h = model.config().hiddenSize();
    int skip = from - w.getStartPos();
    float[] rows = skip == 0 && to == w.getEndPos() ? all : Arrays.copyOfRange(all, skip * h, (to - w.getStartPos()) * h);
    return StepInput.ofHidden(seq.kv, rows);
  }

  /** Extends the hot KV with the longest run of cached prompt blocks, up to position {@code limit}. */
  private void importCachedBlocks(StageWork w, HotSequences.Hot seq, int limit) {
    if (cache == null || w.getBlockSize() != blockSize || seq.kv.length() >= limit) {
      return;
    }
    List<ByteBuffer> hashes = w.getBlockHashes();
    int before = seq.kv.length();
    for (int b = before / blockSize; b < hashes.size() && (b + 1) * blockSize <= limit; b++) {
      byte[] block = cache.load(bytes(hashes.get(b)));
      if (block == null) {
        break;
      }
      seq.kv.importRange(b * blockSize, block);
      seq.storedBlocks = Math.max(seq.storedBlocks, b + 1);
    }
    seq.cachedPrompt += seq.kv.length() - before;
  }

  void fail(StageWork w, int source, String code, String message, List<Outgoing> out, long now) {
    hot.release(w.getRequestId());
    emitter.fail(w, source, code, message, out, now);
  }

  private int capacityFor(StageWork w) {
    int wanted = Math.max(w.getPromptLength() + w.getSampling().getMaxTokens(), w.getTokenIds().size()) + 1;
    return Math.max(1, Math.min(wanted, model.config().maxPositions()));
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
