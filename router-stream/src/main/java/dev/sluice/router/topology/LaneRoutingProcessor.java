package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterSettings;
import dev.sluice.router.admission.ErrorResults;
import dev.sluice.router.policy.PrefixIndex;
import dev.sluice.router.policy.RoutingDecision;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.router.policy.RoutingPolicy;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.router.view.LaneView;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.router.view.RouterLaneView;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.hash.BlockHasher;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.topics.cluster.ClusterView;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs after the repartition by prefix family, so one task sees every request of a family and owns
 * its part of the routing index. Chooses a lane with the policy and writes the prompt as
 * PREFILL_CHUNK records (key = request id); with no eligible lane the request waits in the
 * changelogged pending store and is retried by a wall-clock punctuator until it can be placed, its
 * deadline passes (deadline_exceeded) or it has waited {@code noWorkerWaitMs} (no_workers).
 *
 * <p>Every placement goes into the router's {@link InFlightWork} table (the policies' load signal)
 * until its DONE or ERROR comes back. When a whole stage has lost every live worker, the same check
 * ends every request still in flight with one ERROR (no_workers) at once instead of letting it wait
 * for its deadline; that ERROR's index is maxTokens + 1, above any index a worker can write, so a
 * worker that recovers and finishes the request late cannot take its place: result readers keep the
 * first terminal event of a request and drop the rest (CompletionAssembler).
 */
final class LaneRoutingProcessor implements Processor<String, StageWork, String, SpecificRecord> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LaneRoutingProcessor.class);
  private final RouterSettings settings;
  private final RouterMetrics metrics;
  private final InFlightWork inFlight;

  /** Kept up to date from the heartbeats and the in-flight table; one per task (see RouterLaneView). */
  private final RouterLaneView lanes;
  /** The heartbeats' reader: until it has read what the topic held at start, the view lacks workers. */
  private final ClusterView cluster;

  private ProcessorContext<String, SpecificRecord> context;
  private RoutingPolicy policy;
  private StorePrefixIndex learned;
  /** key = family hex + "/" + request id; value = the prompt with routedAtMs = when it arrived. */
  private KeyValueStore<String, StageWork> pending;
  /** Requests routed or ended by this task: a replay of one is dropped, never routed a second time. */
  private RequestIdMemory routed;

  /**
   * @param cluster the workers, from their heartbeats
   * @param stages the topic layout's stage count: a lane is eligible when each of these stages has a live owner
   */
  LaneRoutingProcessor(RouterSettings settings, RouterMetrics metrics, InFlightWork inFlight, ClusterView cluster, int stages) {
    this.cluster = cluster;
    this.settings = settings;
    this.metrics = metrics;
    this.inFlight = inFlight;
    this.lanes = new RouterLaneView(cluster, this::cachesLikeTheRouter, stages, settings.lanes(), inFlight,
        settings.cacheAware().reportedRequestSeconds());
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    pending = context.getStateStore(RouterTopology.PENDING_STORE);
    routed = RequestIdMemory.of(context, RouterTopology.ROUTED_IDS_STORE, settings.routedIdsTtlMs());
    KeyValueStore<Bytes, byte[]> learnedStore = context.getStateStore(RouterTopology.PREFIX_INDEX_STORE);
    learned = new StorePrefixIndex(learnedStore, context::currentSystemTimeMs, settings.indexTtlMs() / 10);
    PrefixIndex reported = RoutingPolicies.needsWorkerReports(settings.policy())
        ? new StorePrefixIndex(context.getStateStore(RouterTopology.KV_INDEX_STORE), context::currentSystemTimeMs, 0) : null;
    long seed = (settings.randomSeed() == null ? System.nanoTime() : settings.randomSeed()) + context.taskId().partition();
    policy = RoutingPolicies.create(settings.policy(), new RoutingPolicies.Inputs(new Random(seed),
        learned, reported, settings.cacheAware(), settings.prefixHashBlocks()));
    context.schedule(Duration.ofMillis(settings.pendingCheckMs()), PunctuationType.WALL_CLOCK_TIME, this::retryPending);
    context.schedule(Duration.ofMillis(Math.max(1_000, settings.indexTtlMs() / 4)), PunctuationType.WALL_CLOCK_TIME,
        now -> learned.forgetOlderThan(now - settings.indexTtlMs()));
  }

  @Override
  public void process(Record<String, StageWork> record) {
    StageWork prompt = record.value();
    long now = context.currentSystemTimeMs();
    if (routed.contains(prompt.getRequestId(), now)) {
      LOG.info("request {} was routed before; not routing it twice", prompt.getRequestId());
      metrics.request("duplicate");
      return;
    }
    if (!tryRoute(record.key(), prompt, record.headers(), now)) {
      pending.put(pendingKey(record.key(), prompt.getRequestId(), SluiceHeaders.get(record.headers(), SluiceHeaders.TRACEPARENT)),
          prompt);
    }
  }

  /** Routes or ends the request; false when it has to wait for an eligible lane. */
  private boolean tryRoute(String familyKey, StageWork prompt, Headers incoming, long now) {
    if (prompt.getDeadlineMs() != null && prompt.getDeadlineMs() <= now) {
      fail(prompt, ErrorResults.DEADLINE_EXCEEDED, "the deadline passed while the request waited for a lane", incoming, now);
      metrics.request(ErrorResults.DEADLINE_EXCEEDED);
      routed.remember(prompt.getRequestId(), now);
      return true;
    }
    // A router that has just started (a restart, a new replica) has its index back from the changelog but
    // may not have read every worker's heartbeat yet: deciding now would send a request away from the lane
    // its prefix lives on because that lane looks unowned. It waits like a request without a lane (bounded).
    if (!cluster.isReady() && now - prompt.getRoutedAtMs() < settings.noWorkerWaitMs()) return false;
    LaneView view = view(now);
    Optional<RoutingDecision> decision = policy.decide(routingRequest(familyKey, prompt), view);
    if (decision.isEmpty()) {
      List<Integer> dead = view.stagesWithoutWorkers();
      // lanes not covered yet (workers starting, lanes moving): wait a bounded time; a whole stage gone: fail now
      if (dead.isEmpty() && now - prompt.getRoutedAtMs() < settings.noWorkerWaitMs()) return false;
      fail(prompt, ErrorResults.NO_WORKERS, dead.isEmpty() ? "no live worker owns an eligible lane; waited "
          + (now - prompt.getRoutedAtMs()) + " ms" : "no live worker serves stage " + dead.get(0), incoming, now);
      metrics.request(ErrorResults.NO_WORKERS);
      routed.remember(prompt.getRequestId(), now);
      return true;
    }
    RoutingDecision d = decision.get();
    boolean laneWasIdle = view.load(d.lane()) == 0;
    inFlight.placed(new InFlightWork.Placement(prompt.getRequestId(), d.lane(), prompt.getPromptLength(),
        Math.max(0, prompt.getPromptLength() - d.matchedBlocks() * prompt.getBlockSize()), prompt.getSampling().getMaxTokens(),
        now, prompt.getModel(), prompt.getCreatedAtMs(), prompt.getReplyPartition(), laneWasIdle));
    metrics.decision(policy.name(), d.outcome().label(), d.matchedBlocks());
    metrics.request("routed");
    for (StageWork chunk : PrefillChunks.split(prompt, d.lane(), settings.prefillChunkTokens(), now)) {
      context.forward(new Record<String, SpecificRecord>(prompt.getRequestId(), chunk, now, outgoingHeaders(prompt, incoming)));
    }
    // after the chunks: a crash in between replays the request (a duplicate at worst), never loses it
    routed.remember(prompt.getRequestId(), now);
    return true;
  }

  /**
   * The lanes now, with loads in seconds at the lane speed learned so far (the policies weigh prefill at it
   * too): the task's view, brought up to date with what changed since the previous decision.
   */
  private LaneView view(long now) {
    return lanes.at(now);
  }

  /** A stage with no live worker left: every request in flight ends now with one ERROR saying so. */
  private void failInFlightIfAStageIsGone(long now) {
    if (inFlight.size() == 0 || !cluster.isReady()) return; // a half-read workers topic is not a stage gone
    List<Integer> dead = view(now).stagesWithoutWorkers();
    if (dead.isEmpty()) return;
    for (InFlightWork.Placement p : inFlight.removeAll(inFlight.all())) {
      ResultEvent error = ErrorResults.inFlightError(p.requestId(), p.model(), ErrorResults.NO_WORKERS,
          "stage " + dead.get(0) + " lost every live worker while the request was in flight on lane " + p.lane(),
          p.maxTokens(), p.createdAtMs(), now);
      Headers out = new RecordHeaders();
      SluiceHeaders.putRequest(out, p.requestId(), p.replyPartition());
      context.forward(new Record<String, SpecificRecord>(p.requestId(), error, now, out));
      metrics.request(ErrorResults.NO_WORKERS);
    }
  }

  /** A placement older than this without a DONE or ERROR stops counting as load (see InFlightWork). */
  static final long IN_FLIGHT_MAX_AGE_MS = 10 * 60 * 1000L;

  private void retryPending(long now) {
    failInFlightIfAStageIsGone(now);
    inFlight.forgetPlacedBefore(now - IN_FLIGHT_MAX_AGE_MS);
    if (metrics != null) {
      int[] requests = inFlight.requestsPerLane();
      double[] seconds = inFlight.secondsPerLane(inFlight.speed().prefillTokensPerSecond(), inFlight.speed().decodeSecondsPerToken());
      for (int lane = 0; lane < requests.length; lane++) metrics.inFlight(lane, requests[lane], seconds[lane]);
    }
    List<KeyValue<String, StageWork>> waiting = new ArrayList<>();
    try (KeyValueIterator<String, StageWork> it = pending.all()) {
      it.forEachRemaining(waiting::add);
    }
    for (KeyValue<String, StageWork> entry : waiting) {
      String familyKey = entry.key.substring(0, entry.key.indexOf('/'));
      Headers headers = new RecordHeaders();
      String last = entry.key.substring(entry.key.lastIndexOf('/') + 1);
      if (last.startsWith(TRACE_MARK)) SluiceHeaders.put(headers, SluiceHeaders.TRACEPARENT, last.substring(TRACE_MARK.length()));
      if (tryRoute(familyKey, entry.value, headers, now)) pending.delete(entry.key);
    }
  }

  private static final String TRACE_MARK = "tp=";

  /**
   * FAMILY/REQUEST_ID[/tp=TRACEPARENT]: the pending store keeps the StageWork only, so the trace
   * context (a header) rides in the key and is restored when the request is finally routed. A
   * traceparent never contains '/', so the last segment is unambiguous whatever the request id.
   */
  static String pendingKey(String familyKey, String requestId, String traceparent) {
    String key = familyKey + "/" + requestId;
    return traceparent == null || traceparent.contains("/") ? key : key + "/" + TRACE_MARK + traceparent;
  }

  private void fail(StageWork prompt, String code, String message, Headers incoming, long now) {
    ResultEvent error = ErrorResults.error(prompt.getRequestId(), prompt.getModel(), code, message, prompt.getCreatedAtMs(), now);
    context.forward(new Record<String, SpecificRecord>(prompt.getRequestId(), error, now, outgoingHeaders(prompt, incoming)));
  }

  private static Headers outgoingHeaders(StageWork prompt, Headers incoming) {
    Headers out = new RecordHeaders();
    SluiceHeaders.copyRequestHeaders(incoming, out);
    SluiceHeaders.putRequest(out, prompt.getRequestId(), prompt.getReplyPartition());
    return out;
  }

  /** Only workers that cache by this router's block size are routed to (others would never find a block). */
  private boolean cachesLikeTheRouter(WorkerStatus w) {
    if (w.getBlockSize() == settings.blockSize()) return true;
    if (mismatched.add(w.getWorkerId())) {
      LOG.error("worker {} caches blocks of {} tokens but the router's block_size is {}: not routing to it",
          w.getWorkerId(), w.getBlockSize(), settings.blockSize());
    }
    return false;
  }

  private final java.util.Set<String> mismatched = new java.util.HashSet<>();

  private static RoutingRequest routingRequest(String familyKey, StageWork prompt) {
    List<byte[]> hashes = new ArrayList<>(prompt.getBlockHashes().size());
    for (ByteBuffer b : prompt.getBlockHashes()) {
      byte[] h = new byte[b.remaining()];
      b.duplicate().get(h);
      hashes.add(h);
    }
    byte[] family = HexFormat.of().parseHex(familyKey);
    if (family.length != BlockHasher.HASH_BYTES) throw new IllegalStateException("bad family key " + familyKey);
    return new RoutingRequest(prompt.getRequestId(), prompt.getPromptLength(), prompt.getBlockSize(), hashes, family);
  }
}
