package dev.sluice.worker;

import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import dev.sluice.model.StepOutput;
import dev.sluice.model.sampling.Sampler;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.SamplingRandom;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.worker.cache.BlockCache;
import dev.sluice.worker.heartbeat.Heartbeat.KvChange;
import dev.sluice.worker.sample.Completion;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one stage does with a batch of StageWork records, without Kafka: decide per record whether
 * to run it, skip it (already forwarded, stale attempt) or ask for a RECOMPUTE; reuse cached prompt
 * blocks; run one batched forward; store completed prompt blocks; and produce the next stage's
 * records, or at the last stage the sampled token's results and the DECODE loop-back.
 *
 * <p>Positions rule everything: a record carries [startPos, endPos); this stage holds KV for
 * [0, hot length). endPos <= hot length means the step was done already (a replay) and is dropped;
 * startPos > hot length means KV is missing: the block cache may fill the gap, else stage 0
 * rebuilds the sequence from its token ids (RECOMPUTE, with a higher attempt number so every stage
 * ignores the older records still in flight). Worker thread only.
 */
final class StageStep {
  private static final Logger LOG = LoggerFactory.getLogger(StageStep.class);
  /** How many finished/emitted request ids the last stage remembers to suppress replayed results. */
  private static final int EMITTED_MEMORY = 100_000;

  /** One record to send: topic, partition (null = by key), key, value, headers to copy. */
  record Outgoing(String topic, Integer partition, String key, Object value, Headers headers) {}

  /** The outcome of a batch. */
  record BatchResult(List<Outgoing> outgoing, List<KvChange> kvChanges, int computed, int tokens, int finished) {}

  private record Planned(StageWork work, Headers headers, HotSequences.Hot hot, int from, int to, boolean recompute,
      StepInput input) {}

  private final StageModel model;
  private final int stage;
  private final String workerId;
  private final String nextTopic;
  private final String stage0Topic;
  private final String resultsTopic;
  private final BlockCache cache;
  private final int blockSize;
  private final Completion completion;
  private final HotSequences hot;
  private final WorkerStats stats;
  /** Last stage: highest result index sent per request (Integer.MAX_VALUE once DONE/ERROR was sent). */
  private final Map<String, Integer> emitted = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > EMITTED_MEMORY;
    }
  };

  StageStep(StageModel model, int stage, String workerId, String nextTopic, String stage0Topic, String resultsTopic,
      BlockCache cache, int blockSize, Completion completion, WorkerStats stats, int maxActiveSequences) {
    this.model = model;
    this.stage = stage;
    this.workerId = workerId;
    this.nextTopic = nextTopic;
    this.stage0Topic = stage0Topic;
    this.resultsTopic = resultsTopic;
    this.cache = cache;
    this.blockSize = blockSize;
    this.completion = completion;
    this.hot = new HotSequences(model, maxActiveSequences);
    this.stats = stats;
  }

  HotSequences hot() {
    return hot;
  }

  BatchResult run(List<StageWork> works, List<Headers> headers, long receivedAtMs) {
    List<Outgoing> out = new ArrayList<>();
    List<KvChange> kv = new ArrayList<>();
    List<Planned> planned = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < works.size(); i++) {
      Planned p = plan(works.get(i), headers.get(i), out, now);
      if (p != null) {
        planned.add(p);
      }
    }
    int tokens = 0;
    int finished = 0;
    if (!planned.isEmpty()) {
      long t0 = System.nanoTime();
      List<StepOutput> outputs = forwardEach(planned, out, now);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      stats.stepMillis(millis, planned.size());
      long sentAt = System.currentTimeMillis();
      for (int i = 0; i < planned.size(); i++) {
        Planned p = planned.get(i);
        StepOutput o = outputs.get(i);
        if (o == null) {
          continue;
        }
        tokens += p.to - p.from;
        storeBlocks(p, kv);
        if (model.isLast()) {
          finished += sampleAndEmit(p, o, millis, receivedAtMs, out, sentAt) ? 1 : 0;
        } else {
          out.add(new Outgoing(nextTopic, p.work.getLane(), p.work.getRequestId(), forward(p, o, millis, receivedAtMs,
              sentAt), p.headers));
          if (p.work.getKind() == WorkKind.PREFILL_CHUNK && p.work.getLastPromptChunk()) {
            stats.requestServed(); // before the last stage, a request is served once its whole prompt passed here
          }
          if (p.to >= lastInputPosition(p.work)) {
            hot.release(p.work.getRequestId()); // no later step can come: maxTokens or the context is reached
          }
        }
      }
    }
    return new BatchResult(out, kv, planned.size(), tokens, finished);
  }

  /** Decides what to run for one record; null when the record is dropped or answered without compute. */
  private Planned plan(StageWork w, Headers headers, List<Outgoing> out, long now) {
    String id = w.getRequestId();
    if (model.isLast() && Integer.valueOf(Integer.MAX_VALUE).equals(emitted.get(id))) {
      return null; // finished already: a replay
    }
    if (model.isLast() && w.getDeadlineMs() != null && now > w.getDeadlineMs()) {
      fail(w, headers, "deadline_exceeded", "the request passed its deadline before finishing", out, now);
      return null;
    }
    int capacity = capacityFor(w);
    if (w.getEndPos() > model.config().maxPositions() || w.getTokenIds().size() > model.config().maxPositions()) {
      fail(w, headers, "too_large", "the sequence needs " + w.getEndPos() + " positions but the model's context is "
          + model.config().maxPositions(), out, now);
      return null;
    }
    HotSequences.Hot seq = hot.get(id);
    if (w.getKind() == WorkKind.RECOMPUTE) {
      if (seq != null && w.getAttempt() <= seq.recomputedAttempt) {
        return null; // this rebuild ran already
      }
      return rebuild(w, headers, seq, w.getAttempt(), now);
    }
    if (seq != null && w.getAttempt() < seq.attempt) {
      return null; // stale: a RECOMPUTE with a newer attempt replaces this path
    }
    if (seq == null) {
      seq = hot.create(id, w.getLane(), capacity, w.getAttempt(), now);
    }
    seq.attempt = Math.max(seq.attempt, w.getAttempt());
    seq.lastUsedMs = now;
    if (w.getEndPos() <= seq.kv.length()) {
      stats.duplicateDropped();
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
        return rebuild(w, headers, seq, attempt, now);
      }
      // Missing KV that the cache cannot give: stage 0 rebuilds the sequence from its token ids.
      seq.attempt = attempt;
      stats.recomputeRequested();
      out.add(new Outgoing(stage0Topic, w.getLane(), id, recomputeRequest(w, attempt), headers));
      return null;
    }
    if (from >= w.getEndPos()) {
      return null; // every position of this chunk came from the cache; the next chunk carries on
    }
    return new Planned(w, headers, seq, from, w.getEndPos(), false, input(w, seq, from, w.getEndPos()));
  }

  /** Resets the sequence and computes [0, end) — a RECOMPUTE. */
  private Planned rebuild(StageWork w, Headers headers, HotSequences.Hot seq, int attempt, long now) {
    int end = w.getKind() == WorkKind.RECOMPUTE ? w.getEndPos() : w.getTokenIds().size();
    if (model.isFirst() && w.getTokenIds().size() < end || !model.isFirst() && w.getHidden() == null) {
      LOG.warn("stage {}: cannot rebuild {} (no inputs for [0, {}))", stage, w.getRequestId(), end);
      return null;
    }
    int capacity = Math.max(capacityFor(w), end + 1);
    if (seq == null || seq.kv.capacity() < capacity) {
      seq = hot.create(w.getRequestId(), w.getLane(), Math.min(capacity, model.config().maxPositions()), attempt, now);
    }
    seq.kv.truncate(0);
    seq.attempt = Math.max(seq.attempt, attempt);
    seq.recomputedAttempt = attempt;
    seq.cachedPrompt = 0;
    seq.lastUsedMs = now;
    stats.recomputeRan();
    StageWork rebuilt = w.getKind() == WorkKind.RECOMPUTE ? w
        : StageWork.newBuilder(w).setKind(WorkKind.RECOMPUTE).setStartPos(0).setEndPos(end).setAttempt(attempt)
            .setLastPromptChunk(end >= w.getPromptLength()).build();
    return new Planned(rebuilt, headers, seq, 0, end, true, input(rebuilt, seq, 0, end));
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
    float[] all = dev.sluice.model.HiddenStates.fromBytes(bytes(w.getHidden().getData()));
    int h = model.config().hiddenSize();
    int skip = from - w.getStartPos();
    float[] rows = skip == 0 && to == w.getEndPos() ? all : Arrays.copyOfRange(all, skip * h, (to - w.getStartPos()) * h);
    return StepInput.ofHidden(seq.kv, rows);
  }

  /** Runs the batch as one forward; if that fails, each record alone, failing only the bad ones. */
  private List<StepOutput> forwardEach(List<Planned> planned, List<Outgoing> out, long now) {
    try {
      return model.forward(planned.stream().map(Planned::input).toList());
    } catch (RuntimeException batchFailure) {
      if (planned.size() == 1) {
        LOG.warn("stage {}: step of {} failed", stage, planned.get(0).work.getRequestId(), batchFailure);
        fail(planned.get(0).work, planned.get(0).headers, "internal", "stage " + stage + " failed: "
            + batchFailure.getMessage(), out, now);
        hot.release(planned.get(0).work.getRequestId());
        return Arrays.asList((StepOutput) null);
      }
      List<StepOutput> outputs = new ArrayList<>();
      for (Planned p : planned) {
        outputs.add(forwardEach(List.of(p), out, now).get(0));
      }
      return outputs;
    }
  }

  /** Prompt blocks now complete in the hot KV go to the block cache (once per sequence). */
  private void storeBlocks(Planned p, List<KvChange> changes) {
    StageWork w = p.work;
    if (cache == null || w.getBlockSize() != blockSize) {
      return;
    }
    List<ByteBuffer> hashes = w.getBlockHashes();
    int complete = Math.min(p.hot.kv.length(), w.getPromptLength()) / blockSize;
    List<byte[]> stored = new ArrayList<>();
    List<byte[]> evicted = new ArrayList<>();
    for (int b = p.hot.storedBlocks; b < Math.min(complete, hashes.size()); b++) {
      byte[] hash = bytes(hashes.get(b));
      if (!cache.contains(hash)) {
        evicted.addAll(cache.store(hash, p.hot.kv.exportRange(b * blockSize, (b + 1) * blockSize)));
        stored.add(hash);
      }
    }
    p.hot.storedBlocks = Math.max(p.hot.storedBlocks, Math.min(complete, hashes.size()));
    if (!stored.isEmpty() || !evicted.isEmpty()) {
      changes.add(new KvChange(w.getLane(), stored, evicted));
    }
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

  private StageWork forward(Planned p, StepOutput o, long millis, long receivedAtMs, long sentAtMs) {
    StageWork w = p.work;
    List<StageStamp> stamps = model.isFirst() ? new ArrayList<>() : new ArrayList<>(w.getStamps());
    stamps.add(new StageStamp(stage, workerId, receivedAtMs, sentAtMs));
    return StageWork.newBuilder(w)
        .setKind(p.recompute ? WorkKind.RECOMPUTE : w.getKind())
        .setStartPos(p.from)
        .setEndPos(p.to)
        .setAttempt(w.getAttempt())
        .setHidden(new dev.sluice.schemas.HiddenStates(ByteBuffer.wrap(dev.sluice.model.HiddenStates.toBytes(o.hidden())),
            dev.sluice.model.HiddenStates.DTYPE, List.of(p.to - p.from, model.config().hiddenSize())))
        .setCachedTokens(cachedTokens(p))
        .setStamps(stamps)
        .setStageMillis(addMillis(w.getStageMillis(), millis))
        .build();
  }

  /** Last stage: sample, emit results (never an index twice), loop DECODE back. True when finished. */
  private boolean sampleAndEmit(Planned p, StepOutput o, long millis, long receivedAtMs, List<Outgoing> out, long now) {
    StageWork w = p.work;
    if (p.to < w.getPromptLength()) {
      return false; // a prompt chunk before the last: nothing to sample yet
    }
    Sampling sp = w.getSampling();
    long seed = sp.getSeed() == null ? 0L : sp.getSeed();
    // Same random stream as the in-process Generator: (seed, request id, position of the new token).
    int token = Sampler.of(new SamplingParams(sp.getTemperature(), sp.getTopP(), sp.getTopK(), seed))
        .sample(o.logits(), SamplingRandom.forStep(seed, w.getRequestId(), p.to));
    Completion.Outcome outcome = completion.next(w, token, cachedTokens(p), addMillis(w.getStageMillis(), millis), now);
    String id = w.getRequestId();
    for (ResultEvent r : outcome.results()) {
      Integer last = emitted.get(id);
      if (last != null && r.getIndex() <= last) {
        continue; // sent before this replay
      }
      emitted.put(id, r.getKind() == ResultKind.TOKEN ? r.getIndex() : Integer.MAX_VALUE);
      out.add(new Outgoing(resultsTopic, w.getReplyPartition(), id, r, p.headers));
    }
    if (outcome.finished()) {
      hot.release(id);
      stats.requestServed();
      return true;
    }
    // The loop-back keeps this step's stamps (stage 0 starts a fresh list), so hop latencies can be read off it.
    List<StageStamp> stamps = new ArrayList<>(w.getStamps());
    stamps.add(new StageStamp(stage, workerId, receivedAtMs, now));
    StageWork next = StageWork.newBuilder(outcome.next()).setStamps(stamps).build();
    out.add(new Outgoing(stage0Topic, w.getLane(), id, next, p.headers));
    return false;
  }

  private void fail(StageWork w, Headers headers, String code, String message, List<Outgoing> out, long now) {
    hot.release(w.getRequestId());
    if (Integer.valueOf(Integer.MAX_VALUE).equals(emitted.get(w.getRequestId()))) {
      return;
    }
    emitted.put(w.getRequestId(), Integer.MAX_VALUE);
    out.add(new Outgoing(resultsTopic, w.getReplyPartition(), w.getRequestId(),
        Completion.error(w, code, message, now), headers));
  }

  /** Prompt tokens from cache so far: stage 0 sets it, later stages take the minimum. */
  private int cachedTokens(Planned p) {
    StageWork w = p.work;
    if (w.getKind() == WorkKind.DECODE || p.recompute) {
      return w.getCachedTokens();
    }
    return model.isFirst() ? p.hot.cachedPrompt : Math.min(w.getCachedTokens(), p.hot.cachedPrompt);
  }

  /** End position of the last step a request can have: the final token is sampled, never fed back. */
  private int lastInputPosition(StageWork w) {
    return Math.min(w.getPromptLength() + w.getSampling().getMaxTokens() - 1, model.config().maxPositions() - 1);
  }

  private int capacityFor(StageWork w) {
    int wanted = Math.max(w.getPromptLength() + w.getSampling().getMaxTokens(), w.getTokenIds().size()) + 1;
    return Math.max(1, Math.min(wanted, model.config().maxPositions()));
  }

  private Map<String, Long> addMillis(Map<String, Long> before, long millis) {
    Map<String, Long> m = new HashMap<>(before);
    m.merge(String.valueOf(stage), millis, Long::sum);
    return m;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
