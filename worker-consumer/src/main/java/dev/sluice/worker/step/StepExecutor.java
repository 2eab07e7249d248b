package dev.sluice.worker.step;

import dev.sluice.model.ActivationBytes;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepOutput;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.worker.cache.BlockCache;
import dev.sluice.worker.heartbeat.Heartbeat.KvChange;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step of a stage over a batch of {@link StageWork} records, knowing nothing of Kafka: plans
 * each record ({@link StepPlanner}), runs one batched forward over everything to compute (prefill
 * chunks and decode steps together), stores completed prompt blocks in the block cache, and returns
 * the next stage's records — or, at the last stage, the sampled tokens' results and the DECODE
 * loop-back ({@link ResultEmitter}). Compute thread only.
 */
public final class StepExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(StepExecutor.class);

  private final StageModel model;
  private final int stage;
  private final String workerId;
  private final String nextTopic;
  private final BlockCache cache;
  private final int blockSize;
  private final HotSequences hot;
  private final ResultEmitter emitter;
  private final StepPlanner planner;
  private final StepCounters counters;
  private final CancelledRequests cancelled = new CancelledRequests();
  /** The last step's sequences whose complete prompt blocks go to the block cache in {@link #storeBlocks()}. */
  private final List<StepPlanner.Planned> toStore = new ArrayList<>();
  /** The last step's requests that ended here: released once their blocks are stored. */
  private final List<String> toRelease = new ArrayList<>();

  /**
   * @param nextTopic stage-(K+1), or null at the last stage
   * @param cache the block cache, or null when it is off
   */
  public StepExecutor(StageModel model, int stage, String workerId, String nextTopic, String stage0Topic,
      BlockCache cache, int blockSize, HotSequences hot, ResultEmitter emitter, StepCounters counters) {
    this.model = model;
    this.stage = stage;
    this.workerId = workerId;
    this.nextTopic = nextTopic;
    this.cache = cache;
    this.blockSize = blockSize;
    this.hot = hot;
    this.emitter = emitter;
    this.counters = counters;
    this.planner = new StepPlanner(model, stage, stage0Topic, cache, blockSize, hot, emitter, counters);
  }

  public HotSequences hot() {
    return hot;
  }

  public ResultEmitter emitter() {
    return emitter;
  }

  /** The request ended with an ERROR sent for it outside a step: nothing more is run or sent for it. */
  public void endRequest(String requestId) {
    emitter.ended(requestId);
    hot.release(requestId);
  }

  /** The request was cancelled: its hot KV goes now, and its next record becomes a CANCEL. */
  public void cancel(String requestId) {
    cancelled.add(requestId);
    hot.release(requestId);
  }

  /**
   * Runs the step; {@code Outgoing.source} is the index of the input record in {@code works}. Its
   * prompt blocks are stored by {@link #storeBlocks()}, to be called once the records are handed over.
   *
   * @param receivedAtMs when each record was read from Kafka (for its stage stamp)
   */
  public StepResult run(List<StageWork> works, long[] receivedAtMs) {
    if (!toStore.isEmpty() || !toRelease.isEmpty()) {
      throw new IllegalStateException("the previous step's blocks were not stored");
    }
    List<Outgoing> out = new ArrayList<>();
    List<StepPlanner.Planned> planned = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < works.size(); i++) {
      StageWork w = works.get(i);
      if (w.getKind() == WorkKind.CANCEL || cancelled.contains(w.getRequestId())) {
        passCancel(w, i, out, now);
        continue;
      }
      StepPlanner.Planned p = planner.plan(w, i, out, now);
      if (p != null) {
        planned.add(p);
      }
    }
    int positions = 0;
    int finished = 0;
    if (planned.isEmpty()) {
      return new StepResult(out, List.of(), 0, 0, 0);
    }
    long t0 = System.nanoTime();
    long startedAt = System.currentTimeMillis();
    List<StepOutput> outputs = forwardEach(planned, out, now);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    counters.stepMillis(millis, planned.size());
    long sentAt = System.currentTimeMillis();
    // one list shared by the stamps of every record this step sends on: the lanes of all of them
    List<Integer> stepLanes = new ArrayList<>();
    List<StageStamp> stamps = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      StepPlanner.Planned p = planned.get(i);
      StepOutput o = outputs.get(i);
      if (o == null) {
        continue;
      }
      positions += p.to() - p.from();
      toStore.add(p);
      StageWork w = p.work();
      if (model.isLast()) {
        if (p.to() < w.getPromptLength()) {
          continue; // a prompt chunk before the last: nothing to sample yet
        }
        StageStamp stamp = new StageStamp(stage, workerId, receivedAtMs[p.source()], sentAt, startedAt, stepLanes);
        stamps.add(stamp);
        if (emitter.sampleAndEmit(p, o, cachedTokens(p), addMillis(w.getStageMillis(), millis), stamp, out, sentAt)) {
          toRelease.add(w.getRequestId());
          counters.requestServed();
          finished++;
        }
      } else {
        StageStamp stamp = new StageStamp(stage, workerId, receivedAtMs[p.source()], sentAt, startedAt, stepLanes);
        stamps.add(stamp);
        stepLanes.add(w.getLane());
        out.add(new Outgoing(nextTopic, w.getLane(), w.getRequestId(), forward(p, o, millis, stamp), p.source()));
        if (w.getKind() == WorkKind.PREFILL_CHUNK && w.getLastPromptChunk()) {
          counters.requestServed(); // before the last stage, a request is served once its whole prompt passed here
        }
        if (p.to() >= lastInputPosition(w)) {
          toRelease.add(w.getRequestId()); // no later step can come: maxTokens or the context is reached
        }
      }
    }
    // Sent = handed to the producer (the outbox next): after sampling and building the records, so a
    // hop (sent -> read by the next stage) is Kafka's cost alone and the step's span holds all its work.
    long handedOver = System.currentTimeMillis();
    stamps.forEach(st -> st.setSentAtMs(handedOver));
    return new StepResult(out, List.of(), planned.size(), positions, finished);
  }

  /**
   * The last step's second half, once its records are handed to the outbox: the prompt blocks it
   * completed go to the block cache, then the requests that ended in it release their hot KV.
   * Storing a block exports its KV and writes it to Chronicle Map, 4-7 ms a block here (tens of ms
   * for a 300-token prompt); done after the hand-over, it no longer delays the step's records, so a
   * request's next stage and its first token do not wait for it. The next step waits for it, as
   * before, so a request read next finds the blocks.
   *
   * @return the block-cache changes to announce (KV events, heartbeats)
   */
  public List<KvChange> storeBlocks() {
    List<KvChange> kv = new ArrayList<>();
    try {
      for (StepPlanner.Planned p : toStore) {
        store(p, kv);
      }
    } finally {
      toStore.clear();
      toRelease.forEach(hot::release);
      toRelease.clear();
    }
    return kv;
  }

  /**
   * A cancelled request computes nothing more here: its KV is freed and a CANCEL record (no hidden
   * states) goes on along the lane, so every later stage frees its KV too; the last stage answers it
   * with the request's terminal DONE (finishReason CANCELLED), once.
   */
  private void passCancel(StageWork w, int source, List<Outgoing> out, long now) {
    cancel(w.getRequestId());
    if (model.isLast()) {
      emitter.cancelled(w, source, out, now);
      return;
    }
    StageWork marker = StageWork.newBuilder(w).setKind(WorkKind.CANCEL).setHidden(null).setStamps(new ArrayList<>())
        .build();
    out.add(new Outgoing(nextTopic, w.getLane(), w.getRequestId(), marker, source));
  }

  /** Runs the batch as one forward; if that fails, each record alone, failing only the bad ones. */
  private List<StepOutput> forwardEach(List<StepPlanner.Planned> planned, List<Outgoing> out, long now) {
    try {
      return model.forward(planned.stream().map(StepPlanner.Planned::input).toList());
    } catch (RuntimeException batchFailure) {
      if (planned.size() == 1) {
        StepPlanner.Planned p = planned.get(0);
        LOG.warn("stage {}: step of {} failed", stage, p.work().getRequestId(), batchFailure);
        planner.fail(p.work(), p.source(), "internal", "stage " + stage + " failed: " + batchFailure.getMessage(), out,
            now);
        return Arrays.asList((StepOutput) null);
      }
      List<StepOutput> outputs = new ArrayList<>();
      for (StepPlanner.Planned p : planned) {
        outputs.add(forwardEach(List.of(p), out, now).get(0));
      }
      return outputs;
    }
  }

  /** Prompt blocks now complete in the hot KV go to the block cache (once per sequence). */
  private void store(StepPlanner.Planned p, List<KvChange> changes) {
    StageWork w = p.work();
    if (cache == null || w.getBlockSize() != blockSize) {
      return;
    }
    List<ByteBuffer> hashes = w.getBlockHashes();
    HotSequences.Hot seq = p.hot();
    int complete = Math.min(Math.min(seq.kv.length(), w.getPromptLength()) / blockSize, hashes.size());
    List<byte[]> stored = new ArrayList<>();
    java.util.TreeMap<Integer, List<byte[]>> evicted = new java.util.TreeMap<>();
    int lane = w.getLane();
    for (int b = seq.storedBlocks; b < complete; b++) {
      byte[] hash = StepPlanner.bytes(hashes.get(b));
      if (cache.contains(hash)) {
        if (cache.addLane(hash, lane)) stored.add(hash); // this lane now holds it too
        continue;
      }
      for (BlockCache.Evicted e : cache.storeForLane(hash, seq.kv.exportRange(b * blockSize, (b + 1) * blockSize), lane)) {
        // Gone from every lane it was stored or used for on this worker; -1 when those are unknown.
        if (e.lanes().isEmpty()) evicted.computeIfAbsent(-1, k -> new ArrayList<>()).add(e.hash());
        e.lanes().stream().forEach(l -> evicted.computeIfAbsent(l, k -> new ArrayList<>()).add(e.hash()));
      }
      stored.add(hash);
    }
    seq.storedBlocks = Math.max(seq.storedBlocks, complete);
    if (!stored.isEmpty() || evicted.containsKey(lane)) {
      changes.add(new KvChange(lane, stored, evicted.getOrDefault(lane, List.of())));
    }
    evicted.forEach((l, hashesOut) -> {
      if (l != lane) changes.add(new KvChange(l, List.of(), hashesOut));
    });
  }

  /** The record for stage K+1: this step's hidden states [to - from, hidden] and a stamp. */
  private StageWork forward(StepPlanner.Planned p, StepOutput o, long millis, StageStamp stamp) {
    StageWork w = p.work();
    List<StageStamp> stamps = model.isFirst() ? new ArrayList<>() : new ArrayList<>(w.getStamps());
    stamps.add(stamp);
    return StageWork.newBuilder(w)
        .setKind(p.recompute() ? WorkKind.RECOMPUTE : w.getKind())
        .setStartPos(p.from())
        .setEndPos(p.to())
        .setHidden(new dev.sluice.schemas.HiddenStates(ByteBuffer.wrap(ActivationBytes.toBytes(o.hidden())),
            ActivationBytes.DTYPE, List.of(p.to() - p.from(), model.config().hiddenSize())))
        .setCachedTokens(cachedTokens(p))
        .setStamps(stamps)
        .setStageMillis(addMillis(w.getStageMillis(), millis))
        .build();
  }

  /** Prompt tokens from cache so far: stage 0 sets it, later stages take the minimum. */
  private int cachedTokens(StepPlanner.Planned p) {
    StageWork w = p.work();
    if (w.getKind() == WorkKind.DECODE || p.recompute()) {
      return w.getCachedTokens();
    }
    return model.isFirst() ? p.hot().cachedPrompt : Math.min(w.getCachedTokens(), p.hot().cachedPrompt);
  }

  /** End position of the last step a request can have: the final token is sampled, never fed back. */
  private int lastInputPosition(StageWork w) {
    return Math.min(w.getPromptLength() + w.getSampling().getMaxTokens() - 1, model.config().maxPositions() - 1);
  }

  private Map<String, Long> addMillis(Map<String, Long> before, long millis) {
    Map<String, Long> m = new HashMap<>(before);
    m.merge(String.valueOf(stage), millis, Long::sum);
    return m;
  }
}
