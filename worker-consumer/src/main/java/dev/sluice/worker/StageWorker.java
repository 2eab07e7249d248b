package dev.sluice.worker;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.StageModel;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.serde.UnreadableRecordException;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.worker.batch.WorkQueue;
import dev.sluice.worker.cache.BlockCache;
import dev.sluice.worker.heartbeat.Heartbeat;
import dev.sluice.worker.metrics.WorkerMetrics;
import dev.sluice.worker.sample.Completion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the {@code PREFIX.stage-K} consumer group: it owns some lanes (partitions), runs its
 * layers on every record of them in batches, and forwards to {@code stage-K+1} on the same lane — or,
 * at the last stage, samples and writes results and the DECODE loop-back (DESIGN.md "The path of one
 * request").
 *
 * <pre>{@code
 * try (StageWorker w = StageWorker.start(WorkerSettings.of(0, LayerRange.parse("0-2"), model, bootstrap, "sluice"))) {
 *   ... w.isReady() ...
 * }   // close(): graceful drain — finish the batch in hand, commit, leave the group, tombstone
 * }</pre>
 *
 * <p>At-least-once: a batch's outputs are flushed before its input offsets are committed; replays are
 * harmless (see {@link StageStep}). With {@link Guarantee#EXACTLY_ONCE}, outputs and offsets go in one
 * transaction per batch.
 */
public final class StageWorker implements AutoCloseable {
  private final java.util.concurrent.atomic.AtomicLong pauses = new java.util.concurrent.atomic.AtomicLong();
  private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);
  public static final int BLOCK_SIZE = 16;

  private final WorkerSettings settings;
  private final SluiceTopics topics;
  private final StageModel model;
  private final TextTokenizer tokenizer;
  private final BlockCache cache;
  private final WorkerStats stats;
  private final StageStep step;
  private final WorkQueue<byte[]> queue = new WorkQueue<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Heartbeat heartbeat;
  private final Serializer<StageWork> stageWorkSerializer = SluiceSerdes.stageWork().serializer();
  private final Serializer<ResultEvent> resultSerializer = SluiceSerdes.resultEvent().serializer();
  private final org.apache.kafka.common.serialization.Deserializer<StageWork> stageWorkDeserializer =
      SluiceSerdes.stageWork().deserializer(); // built once: a serde builds its schema decoders
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Set<Integer> lanes = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private volatile boolean running = true;
  private volatile boolean abandoning;
  private volatile boolean ready;
  private volatile boolean draining;
  private volatile int queueDepth;
  private volatile int activeSequences;
  private volatile Throwable failure;
  private boolean paused;
  /** Where the worker thread's time goes (ns): waiting in poll, running batches, sending + acks, committing. */
  private final long[] loopNanos = new long[4];
  private long lastBatchMillis;
  private final java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();
  private long lastIdleSweep = System.currentTimeMillis();

  private StageWorker(WorkerSettings settings, PrometheusRegistry registry) {
    this.settings = settings;
    this.topics = new SluiceTopics(settings.prefix());
    if (settings.threads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(settings.threads()));
    }
    this.model = StageModel.load(settings.modelDir(), settings.layers());
    if (model.isFirst() != (settings.stage() == 0)) {
      model.close();
      throw new IllegalArgumentException("worker setting 'layers' " + settings.layers() + " must start at layer 0 "
          + "exactly when 'stage' is 0 (stage " + settings.stage() + ")");
    }
    this.tokenizer = model.isLast() ? Tokenizers.load(settings.modelDir()) : null;
    this.cache = openCache(settings, model.config());
    this.stats = new WorkerStats(WorkerMetrics.in(registry), settings.workerId(), settings.stage());
    this.step = new StageStep(model, settings.stage(), settings.workerId(),
        model.isLast() ? null : topics.stage(settings.stage() + 1).name(), topics.stage(0).name(),
        topics.results().name(), cache, BLOCK_SIZE,
        tokenizer == null ? null : new Completion(tokenizer, model.config().maxPositions()), stats,
        settings.maxActiveSequences());
    this.producer = new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer());
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      producer.initTransactions();
    }
    this.consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(), new ByteArrayDeserializer());
    this.heartbeat = new Heartbeat(settings, topics, this::status, this::onTick);
    this.thread = new Thread(this::run, "sluice-" + settings.workerId());
    this.thread.setDaemon(true);
  }

  /** Loads the stage's layers, joins the stage's group and starts polling; metrics go to the default registry. */
  public static StageWorker start(WorkerSettings settings) {
    return start(settings, PrometheusRegistry.defaultRegistry);
  }

  public static StageWorker start(WorkerSettings settings, PrometheusRegistry registry) {
    StageWorker worker = new StageWorker(settings, registry);
    worker.consumer.subscribe(List.of(worker.topics.stage(settings.stage()).name()), worker.new Rebalance());
    worker.heartbeat.start();
    worker.thread.start();
    return worker;
  }

  /** True once the worker has joined its group and received its (possibly empty) lanes. */
  public boolean isReady() {
    return ready && running && failure == null;
  }

  /** Why the worker stopped on its own, or null. */
  public Throwable failure() {
    return failure;
  }

  public String workerId() {
    return settings.workerId();
  }

  public WorkerSettings settings() {
    return settings;
  }

  /** Lanes (partitions of stage-K) this worker owns now. */
  public Set<Integer> lanes() {
    return Set.copyOf(lanes);
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
    return pauses.get();
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

  /** Worker-thread milliseconds so far: [waiting in poll, running batches, handing outputs to the producer, acks + commits]. */
  public long[] loopMillis() {
    long[] ms = new long[loopNanos.length];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = loopNanos[i] / 1_000_000;
    }
    return ms;
  }

  /** Milliseconds spent in forward passes. */
  public long computeMillis() {
    return stats.stepMillis.get();
  }

  public long duplicatesDropped() {
    return stats.duplicatesDropped.get();
  }

  /** Graceful drain: stop taking work, finish the batch in hand, commit, leave the group, tombstone. */
  @Override
  public void close() {
    draining = true;
    stop();
    heartbeat.close(true);
    closeResources();
  }

  /**
   * Stops like a crash, for tests of recovery: nothing more is run or committed and no tombstone is
   * written. The consumer still leaves the group so its lanes move at once instead of after the
   * session timeout.
   */
  public void abandon() {
    abandoning = true;
    stop();
    heartbeat.close(false);
    closeResources();
  }

  private void stop() {
    running = false;
    consumer.wakeup();
    try {
      if (!stopped.await(60, TimeUnit.SECONDS)) {
        LOG.warn("worker {} did not stop within 60 s", settings.workerId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeResources() {
    producer.close(Duration.ofSeconds(10));
    step.hot().close();
    if (cache != null) {
      cache.close();
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
    model.close();
  }

  private void run() {
    try {
      while (running) {
        pollInto(queue.isEmpty() ? Duration.ofMillis(100) : Duration.ZERO);
        if (!queue.isEmpty()) {
          fillBatch();
        }
        applyBackPressure();
        if (!queue.isEmpty() && running) {
          runBatch();
        }
        completeAcked(false);
        housekeeping();
      }
    } catch (WakeupException e) {
      // stop() asked us to
    } catch (Throwable t) {
      failure = t;
      LOG.error("worker {} stopped on an error", settings.workerId(), t);
    } finally {
      try {
        if (!abandoning) {
          completeAcked(true); // finish the steps in hand: their outputs acknowledged, then commit
          commit(true);
        }
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(10)));
      } catch (RuntimeException e) {
        LOG.warn("worker {}: error while leaving the group", settings.workerId(), e);
      }
      stopped.countDown();
    }
  }

  /**
   * Lets a batch fill up — unless, under light load, every sequence served in the last two seconds is
   * already waiting —
   * first for batching_window_ms, then — while fewer records wait than the
   * sequences this stage served in the last two seconds (the decode steps still on their way) — for
   * up to the last batch's time more. A decode step costs nearly the same for 6 sequences as for 16,
   * so waiting for the rest of the group (often one batch behind, in the other stage) merges the
   * groups into one batch instead of running two of nearly the same cost for ever after.
   */
  private void fillBatch() {
    int max = settings.maxBatchSize();
    if (settings.batchingWindowMs() == 0 || queue.size() >= max) {
      return;
    }
    long start = System.nanoTime();
    int expected = Math.min(max, step.hot().recentlyUsed(System.currentTimeMillis() - 2000));
    if (expected > 0 && expected <= Math.max(1, max / 4) && queue.size() >= expected) {
      // Light load, and every sequence this stage has been serving is already here (e.g. one
      // request decoding alone): waiting would only add latency to each token. Under heavier load
      // the window stays, so that groups of sequences keep merging into full batches.
      return;
    }
    pollInto(Duration.ofMillis(settings.batchingWindowMs()));
    long deadline = start + (settings.batchingWindowMs() + lastBatchMillis) * 1_000_000L;
    while (queue.size() < expected && System.nanoTime() < deadline && running) {
      pollInto(Duration.ofMillis(Math.max(1, Math.min(2, (deadline - System.nanoTime()) / 1_000_000L))));
    }
  }

  private void pollInto(Duration timeout) {
    long t0 = System.nanoTime();
    ConsumerRecords<String, byte[]> records = consumer.poll(timeout);
    loopNanos[0] += System.nanoTime() - t0;
    for (ConsumerRecord<String, byte[]> r : records) {
      queue.add(r);
    }
    queueDepth = queue.size();
  }

  /** Pauses every lane while max_queue_size records wait; resumes below it. */
  private void applyBackPressure() {
    if (!paused && queue.size() >= settings.maxQueueSize()) {
      consumer.pause(consumer.assignment());
      paused = true;
      pauses.incrementAndGet();
    } else if (paused && queue.size() < settings.maxQueueSize()) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void runBatch() {
    long receivedAt = System.currentTimeMillis();
    long receivedNanos = System.nanoTime();
    List<ConsumerRecord<String, byte[]>> batch = queue.takeBatch(settings.maxBatchSize(), StageWorker::sequenceKey);
    List<StageWork> works = new ArrayList<>(batch.size());
    List<Headers> headers = new ArrayList<>(batch.size());
    for (ConsumerRecord<String, byte[]> r : batch) {
      try {
        works.add(stageWorkDeserializer.deserialize(r.topic(), r.value()));
        headers.add(r.headers());
      } catch (UnreadableRecordException e) {
        // Only a foreign producer can put garbage on a stage topic; there is no request to answer,
        // so the bytes go to the DLQ with the reason (never silently dropped).
        LOG.warn("worker {}: unreadable record {}-{}@{} sent to the DLQ: {}", settings.workerId(), r.topic(),
            r.partition(), r.offset(), e.reason());
        toDlq(r, e.reason());
      }
    }
    StageStep.BatchResult result = step.run(works, headers, receivedAt);
    long t1 = System.nanoTime();
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      producer.beginTransaction();
      InFlight sent = send(batch, result.outgoing());
      sent.awaitAcks();
      complete(sent);
      Map<TopicPartition, OffsetAndMetadata> offsets = queue.committable();
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
      queue.markCommitted(offsets);
    } else {
      // At-least-once without waiting here: the batch's offsets become committable once its
      // outputs are acknowledged (checked every loop), so the thread goes back to polling at once.
      inFlight.add(send(batch, result.outgoing()));
    }
    long t2 = System.nanoTime();
    lastBatchMillis = (t1 - receivedNanos) / 1_000_000L;
    loopNanos[1] += t1 - receivedNanos;
    loopNanos[2] += t2 - t1;
    heartbeat.kvChanges(result.kvChanges());
    stats.tokens(result.tokens());
    queueDepth = queue.size();
    activeSequences = step.hot().size();
  }

  /** The outputs of one batch on their way to the broker. */
  private record InFlight(List<ConsumerRecord<String, byte[]>> batch, List<StageStep.Outgoing> outgoing,
      List<Future<RecordMetadata>> acks) {
    boolean acked() {
      return acks.stream().allMatch(Future::isDone);
    }

    void awaitAcks() {
      for (Future<RecordMetadata> f : acks) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (java.util.concurrent.ExecutionException e) {
          // reported by complete()
        }
      }
    }
  }

  private InFlight send(List<ConsumerRecord<String, byte[]>> batch, List<StageStep.Outgoing> outgoing) {
    List<Future<RecordMetadata>> acks = new ArrayList<>(outgoing.size());
    for (StageStep.Outgoing o : outgoing) {
      acks.add(producer.send(record(o)));
    }
    return new InFlight(batch, outgoing, acks);
  }

  /** Completes acknowledged batches in order and commits what became safe; {@code all} waits for every batch. */
  private void completeAcked(boolean all) {
    long t0 = System.nanoTime();
    boolean any = false;
    while (!inFlight.isEmpty() && (all || inFlight.peekFirst().acked())) {
      InFlight f = inFlight.pollFirst();
      f.awaitAcks();
      complete(f);
      any = true;
    }
    if (any) {
      commit(all);
    }
    loopNanos[3] += System.nanoTime() - t0;
  }

  /** Marks a batch's inputs done; a record the broker refused ends its request with an ERROR result. */
  private void complete(InFlight f) {
    for (int i = 0; i < f.acks.size(); i++) {
      try {
        f.acks.get(i).get();
      } catch (Exception e) {
        StageStep.Outgoing o = f.outgoing.get(i);
        LOG.warn("worker {}: could not send to {}: {}", settings.workerId(), o.topic(), e.getMessage());
        if (o.value() instanceof StageWork w) {
          boolean tooLarge = e.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException;
          ResultEvent error = Completion.error(w, tooLarge ? "too_large" : "internal",
              "stage " + settings.stage() + " could not forward the step: " + e.getCause(), System.currentTimeMillis());
          producer.send(record(new StageStep.Outgoing(topics.results().name(), w.getReplyPartition(), w.getRequestId(),
              error, o.headers())));
        }
      }
    }
    f.batch.forEach(queue::done);
  }

  private void toDlq(ConsumerRecord<String, byte[]> r, String reason) {
    Headers headers = new RecordHeaders(r.headers().toArray());
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_REASON, reason);
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_TOPIC, r.topic());
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_PARTITION, String.valueOf(r.partition()));
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_OFFSET, String.valueOf(r.offset()));
    producer.send(new ProducerRecord<>(topics.dlq().name(), null, r.key(), r.value(), headers));
  }

  private ProducerRecord<String, byte[]> record(StageStep.Outgoing o) {
    Headers headers = new RecordHeaders();
    if (o.headers() != null) {
      SluiceHeaders.copyRequestHeaders(o.headers(), headers);
    }
    SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, o.key());
    byte[] value = o.value() instanceof StageWork w ? stageWorkSerializer.serialize(o.topic(), w)
        : resultSerializer.serialize(o.topic(), (ResultEvent) o.value());
    return new ProducerRecord<>(o.topic(), o.partition(), o.key(), value, headers);
  }

  private void commit(boolean sync) {
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      return; // offsets went with the transactions
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = queue.committable();
    if (offsets.isEmpty()) {
      return;
    }
    if (sync) {
      consumer.commitSync(offsets);
    } else {
      consumer.commitAsync(offsets, (done, e) -> {
        if (e != null) {
          LOG.debug("worker {}: async commit failed (the next one covers it): {}", settings.workerId(), e.toString());
        }
      });
    }
    queue.markCommitted(offsets);
  }

  private void housekeeping() {
    long now = System.currentTimeMillis();
    if (now - lastIdleSweep > 1000) {
      step.hot().releaseIdle(now, settings.idleTimeout().toMillis());
      lastIdleSweep = now;
      activeSequences = step.hot().size();
      queueDepth = queue.size();
    }
  }

  private long reportedHits;
  private long reportedMisses;
  private long reportedEvictions;

  /** Heartbeat thread: moves cache counters and gauges into Prometheus. */
  private synchronized void onTick(dev.sluice.schemas.WorkerStatus s) {
    stats.cacheDeltas(s.getKvHits() - reportedHits, s.getKvMisses() - reportedMisses,
        s.getKvEvictions() - reportedEvictions);
    reportedHits = s.getKvHits();
    reportedMisses = s.getKvMisses();
    reportedEvictions = s.getKvEvictions();
    stats.gauges(s.getQueueDepth(), s.getActiveSequences(), s.getKvBlocksUsed());
  }

  /** The current heartbeat. */
  private dev.sluice.schemas.WorkerStatus status() {
    WorkerState state = draining ? WorkerState.DRAINING : ready ? WorkerState.READY : WorkerState.STARTING;
    return dev.sluice.schemas.WorkerStatus.newBuilder()
        .setWorkerId(settings.workerId())
        .setHost(hostName())
        .setStage(settings.stage())
        .setLayerStart(settings.layers().start())
        .setLayerEnd(settings.layers().end())
        .setLanes(new ArrayList<>(new TreeSet<>(lanes)))
        .setQueueDepth(queueDepth)
        .setActiveSequences(activeSequences)
        .setKvBlocksUsed(kvBlocks())
        .setKvBlocksCapacity(cache == null ? 0 : cache.capacityBlocks())
        .setKvHits(kvHits())
        .setKvMisses(kvMisses())
        .setKvEvictions(kvEvictions())
        .setTokensProcessed(stats.tokens.get())
        .setRequestsServed(stats.requestsServed.get())
        .setState(state)
        .setModel(settings.modelId())
        .setTimestampMs(System.currentTimeMillis())
        .build();
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static String sequenceKey(ConsumerRecord<String, byte[]> r) {
    return r.key() != null ? r.key() : r.topic() + "-" + r.partition() + "@" + r.offset();
  }

  private static BlockCache openCache(WorkerSettings s, ModelConfig config) {
    if (s.kvCacheMb() == 0) {
      return null;
    }
    int blockBytes = BLOCK_SIZE * s.layers().size() * 2 * config.numKvHeads() * config.headDim() * Float.BYTES;
    return BlockCache.open(s.dataDir(), s.modelId() + "-L" + s.layers(), blockBytes, s.kvCacheMb() * 1024L * 1024L);
  }

  private Map<String, Object> consumerProps() {
    Map<String, Object> p = new HashMap<>(settings.kafka());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.prefix() + ".stage-" + settings.stage());
    p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.workerId()); // static membership: lanes come back
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.workerId());
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
    p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxQueueSize());
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, settings.maxMessageBytes());
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(ConsumerConfig.DEFAULT_FETCH_MAX_BYTES, settings.maxMessageBytes()));
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    return p;
  }

  private Map<String, Object> producerProps() {
    Map<String, Object> p = new HashMap<>(settings.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.workerId() + "-out");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.maxMessageBytes());
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L * 1024 * 1024, 2L * settings.maxMessageBytes()));
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.prefix() + ".stage-" + settings.stage() + "."
          + settings.workerId());
    }
    return p;
  }

  /** Runs inside poll on the worker thread, so it may touch the queue and the hot sequences. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!abandoning) {
        try {
          completeAcked(true);
          commit(true);
        } catch (RuntimeException e) {
          LOG.warn("worker {}: commit on revoke failed: {}", settings.workerId(), e.toString());
        }
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> lanes.add(tp.partition()));
      if (paused) {
        consumer.pause(partitions);
      }
      ready = true;
    }

    private void forget(Collection<TopicPartition> partitions) {
      queue.dropPartitions(partitions);
      List<Integer> lost = partitions.stream().map(TopicPartition::partition).toList();
      lost.forEach(lanes::remove);
      step.hot().releaseLanes(lost);
    }
  }
}
