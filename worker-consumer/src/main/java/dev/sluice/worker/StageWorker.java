package dev.sluice.worker;

import dev.sluice.model.CoreWait;
import dev.sluice.model.StageModel;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.topics.cluster.BlockSizeAgreement;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.worker.cache.BlockCache;
import dev.sluice.worker.cancel.CancelWatch;
import dev.sluice.worker.commit.AtLeastOnceCommitter;
import dev.sluice.worker.commit.OffsetCommitter;
import dev.sluice.worker.commit.OffsetTracker;
import dev.sluice.worker.commit.TransactionalCommitter;
import dev.sluice.worker.fetch.FetchLoop;
import dev.sluice.worker.heartbeat.Heartbeat;
import dev.sluice.worker.metrics.WorkerMetrics;
import dev.sluice.worker.outbox.AsyncOutbox;
import dev.sluice.worker.outbox.Outbox;
import dev.sluice.worker.outbox.OutboxRecords;
import dev.sluice.worker.outbox.TransactionalOutbox;
import dev.sluice.worker.recovery.LaneTakeover;
import dev.sluice.worker.recovery.SentResults;
import dev.sluice.worker.sample.Continuation;
import dev.sluice.worker.schedule.ReadyQueue;
import dev.sluice.worker.schedule.Scheduler;
import dev.sluice.worker.status.WorkerHealth;
import dev.sluice.worker.status.WorkerStatusSource;
import dev.sluice.worker.step.HotSequences;
import dev.sluice.worker.step.ResultEmitter;
import dev.sluice.worker.step.StepExecutor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the {@code PREFIX.stage-K} consumer group: it owns some lanes (partitions), runs its
 * layers on their records and forwards to {@code stage-K+1} on the same lane — or, at the last stage,
 * samples and writes results and the DECODE loop-back. It wires parts with one job each, on their
 * own threads so that compute never waits for I/O:
 * {@link FetchLoop} (poll, lane pause/resume, commits, rebalances) → {@link ReadyQueue} →
 * {@link Scheduler} (the compute thread: batch rule, {@link StepExecutor}) → {@link Outbox} (sends
 * and acknowledgements, or transactions) → {@link OffsetTracker}; {@link Heartbeat} reports
 * {@link WorkerHealth}; {@link CancelWatch} tells the compute thread of cancelled requests.
 *
 * <pre>{@code
 * try (StageWorker w = StageWorker.start(WorkerSettings.of(0, LayerRange.parse("0-2"), model, bootstrap, "sluice"))) {
 *   ... w.isReady() ...
 * }   // close(): graceful drain — finish the step in hand, acknowledge, commit, leave the group, tombstone
 * }</pre>
 */
public final class StageWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);
  private static final long STOP_TIMEOUT_MS = 60_000;

  private final WorkerSettings settings;
  private final StageModel model;
  private final TextTokenizer tokenizer;
  private final BlockCache cache;
  private final WorkerStats stats;
  private final WorkerHealth health;
  private final StepExecutor executor;
  private final Outbox outbox;
  private final FetchLoop fetch;
  private final Scheduler scheduler;
  private final Heartbeat heartbeat;
  private final CancelWatch cancels;
  private final ReadyQueue ready = new ReadyQueue();
  private final SentResults sentResults;

  private StageWorker(WorkerSettings settings, PrometheusRegistry registry, FaultInjection faults) {
    this.settings = settings;
    SluiceTopics topics = new SluiceTopics(settings.namespace());
    WorkerKafka kafka = new WorkerKafka(settings);
    int stages = kafka.stageCount(settings.stage());
    BlockSizeAgreement.require("worker setting", settings.blockSize(), settings.workerId(), topics, kafka.clientProps());
    this.model = StageModel.load(settings.modelDir(), settings.layers());
    if (model.isFirst() != (settings.stage() == 0)) {
      model.close();
      throw new IllegalArgumentException("worker setting 'layers' " + settings.layers() + " must start at layer 0 "
          + "exactly when 'stage' is 0 (stage " + settings.stage() + ")");
    }
    this.tokenizer = model.isLast() ? Tokenizers.load(settings.modelDir()) : null;
    this.cache = BlockCacheOpener.open(settings, model);
    this.stats = new WorkerStats(WorkerMetrics.in(registry), settings.workerId(), settings.stage());
    this.health = new WorkerHealth(settings.workerId());
    ResultEmitter emitter = new ResultEmitter(topics.results().name(), topics.stage(0).name(), tokenizer == null ? null : new Continuation(tokenizer, model.config().maxPositions()));
    this.executor = new StepExecutor(model, settings.stage(), settings.workerId(),
        model.isLast() ? null : topics.stage(settings.stage() + 1).name(), topics.stage(0).name(), cache,
        settings.blockSize(), new HotSequences(model, settings.hotKvBytes()), emitter, stats);
    AtomicLong epoch = new AtomicLong();
    OffsetTracker tracker = new OffsetTracker();
    OutboxRecords records = new OutboxRecords(topics, settings.stage(), settings.maxMessageBytes());
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerProps(), new StringSerializer(),
        new ByteArraySerializer());
    Scheduler[] compute = new Scheduler[1];
    FetchLoop[] fetchLoop = new FetchLoop[1];
    Heartbeat[] beat = new Heartbeat[1]; // parts built later, used by callbacks only once running
    OffsetCommitter committer;
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      TransactionalCommitter tc = new TransactionalCommitter(tracker);
      committer = tc;
      this.outbox = new TransactionalOutbox(producer, records, tracker, tc, health, epoch, () -> fetchLoop[0].rewind(),
          faults, settings.workerId());
    } else {
      committer = new AtLeastOnceCommitter(tracker, settings.workerId());
      this.outbox = new AsyncOutbox(producer, records, tracker, health,
          id -> compute[0].post(() -> executor.endRequest(id)), settings.workerId());
    }
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps(), new StringDeserializer(),
        new ByteArrayDeserializer());
    this.sentResults = model.isLast() ? new SentResults(settings, topics.results()) : null;
    LaneTakeover takeover = sentResults == null ? null : new LaneTakeover(sentResults, emitter);
    CoreWait coreWait = new CoreWait(); // read on the compute thread only, after each step
    this.scheduler = new Scheduler(ready, executor, outbox, health, epoch, faults, takeover, result -> {
      beat[0].kvChanges(result.kvChanges());
      stats.tokens(result.positions());
      stats.coreWaited(coreWait.sinceLastNanos());
    }, () -> fetchLoop[0].lanes(), settings.maxBatchSize(), settings.batchingWindowMs(), stages, settings.idleTimeout().toMillis(),
        settings.threads(), settings.workerId());
    compute[0] = scheduler;
    this.fetch = new FetchLoop(consumer, topics.stage(settings.stage()), ready, tracker, committer, outbox,
        health, epoch, lanes -> scheduler.post(() -> {
          executor.hot().releaseLanes(lanes);
          if (takeover != null) {
            takeover.lanesLost(lanes);
          }
        }), () -> scheduler.post(() -> {
          executor.hot().releaseAll();
          executor.emitter().forgetAll();
          if (takeover != null) {
            takeover.reset();
          }
        }), settings.maxQueueSize(), settings.workerId());
    fetchLoop[0] = fetch;
    WorkerStatusSource status = new WorkerStatusSource(settings, health, fetch::lanes, ready::size,
        scheduler::activeSequences, cache, stats);
    this.heartbeat = new Heartbeat(settings, topics, status::status, status::onTick);
    beat[0] = heartbeat;
    this.cancels = new CancelWatch(kafka.clientProps(), topics.cancels(),
        id -> scheduler.post(() -> executor.cancel(id)), settings.workerId());
  }

  /** Loads the stage's layers, joins the stage's group and starts; metrics go to the default registry. */
  public static StageWorker start(WorkerSettings settings) {
    return start(settings, PrometheusRegistry.defaultRegistry);
  }

  public static StageWorker start(WorkerSettings settings, PrometheusRegistry registry) {
    return start(settings, registry, FaultInjection.NONE);
  }

  /** With failures injected by a test. */
  public static StageWorker start(WorkerSettings settings, PrometheusRegistry registry, FaultInjection faults) {
    StageWorker worker = new StageWorker(settings, registry, faults);
    worker.heartbeat.start();
    worker.scheduler.start();
    worker.fetch.start();
    worker.cancels.start();
    return worker;
  }

  /** True once the worker has joined its group and received its (possibly empty) lanes, until it fails. */
  public boolean isReady() {
    return health.state() == dev.sluice.schemas.WorkerState.READY;
  }

  /** Why the worker stopped on its own, or null. */
  public Throwable failure() {
    return health.failure();
  }

  public String workerId() {
    return settings.workerId();
  }

  public WorkerSettings settings() {
    return settings;
  }

  /** Lanes (partitions of stage-K) this worker owns now. */
  public Set<Integer> lanes() {
    return fetch.lanes();
  }

  /** Sequences holding hot KV at this stage, as of the last step (or the last idle sweep). */
  public int activeSequences() {
    return scheduler.activeSequences();
  }

  public long kvHits() {
    return cache == null ? 0 : cache.hits();
  }

  public long kvMisses() {
    return cache == null ? 0 : cache.misses();
  }

  public long kvEvictions() {
    return cache == null ? 0 : cache.evictions();
  }

  public long kvBlocks() {
    return cache == null ? 0 : cache.size();
  }

  public long tokensProcessed() {
    return stats.tokens.get();
  }

  public long requestsServed() {
    return stats.requestsServed.get();
  }

  /** How often every lane was paused because max_queue_size records were waiting. */
  public long backPressurePauses() {
    return fetch.pauses();
  }

  public long recomputes() {
    return stats.recomputesRequested.get() + stats.recomputesRun.get();
  }

  /** Batched forwards run so far. */
  public long batches() {
    return stats.batches.get();
  }

  /** Records computed in those batches (their mean size is batchedRecords / batches). */
  public long batchedRecords() {
    return stats.batchedRecords.get();
  }

  /** Milliseconds spent in forward passes. */
  public long computeMillis() {
    return stats.stepMillis.get();
  }

  /** Milliseconds the compute thread was ready to run but waited for a CPU core ({@link CoreWait}). */
  public long coreWaitMillis() {
    return stats.coreWaitNanos.get() / 1_000_000;
  }

  public long duplicatesDropped() {
    return stats.duplicatesDropped.get();
  }

  /** Sends that failed and were retried or replaced by an ERROR result. */
  public long failedSends() {
    return outbox.failedSends();
  }

  /** Transactions aborted and re-run (exactly-once), else 0. */
  public long abortedTransactions() {
    return outbox instanceof TransactionalOutbox t ? t.aborts() : 0;
  }

  /** Graceful drain: stop fetching, finish the step in hand, acknowledge, commit, leave the group, tombstone. */
  @Override
  public void close() {
    health.draining();
    cancels.close();
    fetch.drain();
    boolean computeStopped = scheduler.stop(STOP_TIMEOUT_MS);
    try {
      outbox.awaitIdle(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fetch.stop(true);
    heartbeat.close(true);
    outbox.close(true);
    closeResources(computeStopped);
  }

  /**
   * Stops like a crash, for tests of recovery: nothing more is sent or committed and no tombstone is
   * written. The consumer still leaves the group so its lanes move at once instead of after the
   * session timeout.
   */
  public void abandon() {
    cancels.close();
    boolean computeStopped = scheduler.stop(STOP_TIMEOUT_MS);
    outbox.close(false);
    fetch.stop(false);
    heartbeat.close(false);
    closeResources(computeStopped);
  }

  /** Frees native memory only once no forward can be running. */
  private void closeResources(boolean computeStopped) {
    if (!computeStopped) {
      LOG.warn("worker {}: the compute thread did not stop within {} s; its model and cache stay allocated",
          settings.workerId(), STOP_TIMEOUT_MS / 1000);
      return;
    }
    executor.hot().close();
    if (cache != null) {
      cache.close();
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
    if (sentResults != null) {
      sentResults.close();
    }
    model.close();
  }
}
