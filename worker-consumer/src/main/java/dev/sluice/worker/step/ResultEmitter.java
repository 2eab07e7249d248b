package dev.sluice.worker.step;

import dev.sluice.model.StepOutput;
import dev.sluice.model.sampling.Sampler;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.SamplingRandom;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.worker.LruMap;
import dev.sluice.worker.sample.Continuation;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Results of a stage: at the last stage, the sampled token's TOKEN/DONE events and the DECODE
 * loop-back; at any stage, the ERROR that ends a request it cannot serve.
 *
 * <p>Remembers which result indexes it sent per request (a set, not a high-water mark: after a
 * rebuild steps can arrive out of order) and which requests ended, so a replayed step never sends
 * an event twice and an ended request sends nothing more. {@link #forget} drops that memory for
 * requests whose events were rolled back (an aborted transaction). Compute thread only.
 */
public final class ResultEmitter {
  /** How many requests the memory holds (least recently used first out). */
  private static final int MEMORY = 100_000;

  private final String resultsTopic;
  private final String stage0Topic;
  private final Continuation continuation;
  private final Map<String, Sent> sent = new LruMap<>(1024, MEMORY);

  private static final class Sent {
    final BitSet indexes = new BitSet();
    boolean ended;
  }

  /** @param continuation what the last stage does with a sampled token; null before the last stage */
  public ResultEmitter(String resultsTopic, String stage0Topic, Continuation continuation) {
    this.resultsTopic = resultsTopic;
    this.stage0Topic = stage0Topic;
    this.continuation = continuation;
  }

  /** True once this stage sent the request's DONE or ERROR. */
  boolean finished(String requestId) {
    Sent s = sent.get(requestId);
    return s != null && s.ended;
  }

  /** Drops the memory of these requests (their events were rolled back and will be sent again). */
  public void forget(Iterable<String> requestIds) {
    requestIds.forEach(sent::remove);
  }

  /** Results of the request already on the results topic (sent by an earlier owner of its lane). */
  public void remember(String requestId, List<ResultEvent> results) {
    Sent s = sent.computeIfAbsent(requestId, k -> new Sent());
    for (ResultEvent r : results) {
      if (r.getKind() == ResultKind.TOKEN && r.getIndex() >= 0) {
        s.indexes.set(r.getIndex());
      } else if (r.getKind() != ResultKind.TOKEN) {
        s.ended = true;
      }
    }
  }

  /** Records that the request ended elsewhere (an ERROR replaced one of its outputs). */
  void ended(String requestId) {
    sent.computeIfAbsent(requestId, k -> new Sent()).ended = true;
  }

  public void forgetAll() {
    sent.clear();
  }

  /**
   * Samples the next token of a computed last-stage step and adds its results and, unless it
   * finished, the DECODE record for stage 0. True when the request finished.
   */
  boolean sampleAndEmit(StepPlanner.Planned p, StepOutput o, int cachedTokens, Map<String, Long> stageMillis,
      StageStamp stamp, List<Outgoing> out, long now) {
    StageWork w = p.work();
    Sampling sp = w.getSampling();
    long seed = sp.getSeed() == null ? 0L : sp.getSeed();
    // Same random stream as the in-process Generator: (seed, request id, position of the new token).
    int token = Sampler.of(new SamplingParams(sp.getTemperature(), sp.getTopP(), sp.getTopK(), seed))
        .sample(o.logits(), SamplingRandom.forStep(seed, w.getRequestId(), p.to()));
    Continuation.Outcome outcome = continuation.next(w, token, cachedTokens, stageMillis, now);
    String id = w.getRequestId();
    for (ResultEvent r : outcome.results()) {
      emit(w, p.source(), r, out);
    }
    if (outcome.finished()) {
      return true;
    }
    // The loop-back keeps this step's stamps (stage 0 starts a fresh list), so hop latencies can be read off it.
    List<StageStamp> stamps = new ArrayList<>(w.getStamps());
    stamps.add(stamp);
    stamp.getStepLanes().add(w.getLane());
    StageWork next = StageWork.newBuilder(outcome.next()).setStamps(stamps).build();
    out.add(new Outgoing(stage0Topic, w.getLane(), id, next, p.source()));
    return false;
  }

  /** Ends the request with an ERROR, unless it ended already. */
  void fail(StageWork w, int source, String code, String message, List<Outgoing> out, long now) {
    emit(w, source, Continuation.error(w, code, message, now), out);
  }

  /** Ends the cancelled request with its DONE (finishReason CANCELLED), unless it ended already. */
  void cancelled(StageWork w, int source, List<Outgoing> out, long now) {
    emit(w, source, Continuation.cancelled(w, now), out);
  }

  private void emit(StageWork w, int source, ResultEvent r, List<Outgoing> out) {
    Sent s = sent.computeIfAbsent(w.getRequestId(), k -> new Sent());
    boolean terminal = r.getKind() != ResultKind.TOKEN;
    if (s.ended || !terminal && r.getIndex() >= 0 && s.indexes.get(r.getIndex())) {
      return; // sent before this replay
    }
    if (r.getIndex() >= 0) {
      s.indexes.set(r.getIndex());
    }
    s.ended |= terminal;
    out.add(new Outgoing(resultsTopic, w.getReplyPartition(), w.getRequestId(), r, source));
  }

  /** An ERROR result for a request, outside any step (e.g. a record the broker refused). */
  public Outgoing error(StageWork w, int source, String code, String message, long now) {
    return new Outgoing(resultsTopic, w.getReplyPartition(), w.getRequestId(), Continuation.error(w, code, message, now),
        source);
  }
}
