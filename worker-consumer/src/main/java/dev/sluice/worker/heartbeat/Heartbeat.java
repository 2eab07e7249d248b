package dev.sluice.worker.heartbeat;

import dev.sluice.schemas.KvEvent;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.worker.WorkerSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the worker's {@link WorkerStatus} to {@code PREFIX.workers} every second (key = worker id,
 * a tombstone on clean shutdown) and its block-cache changes to {@code PREFIX.kv-events}. It has its
 * own producer, so heartbeats keep flowing while a long batch runs and never join a transaction.
 */
public final class Heartbeat implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
  public static final Duration PERIOD = Duration.ofSeconds(1);

  /** Blocks stored and evicted on one lane in one batch. */
  public record KvChange(int lane, List<byte[]> stored, List<byte[]> evicted) {}

  /** Called each period before the status is sent (e.g. to update gauges). */
  public interface Tick {
    void onTick(WorkerStatus status);
  }

  private final WorkerSettings settings;
  private final SluiceTopics topics;
  private final Supplier<WorkerStatus> status;
  private final Tick tick;
  private final KafkaProducer<String, WorkerStatus> statusProducer;
  private final KafkaProducer<String, KvEvent> kvProducer;
  private final ScheduledExecutorService timer;

  public Heartbeat(WorkerSettings settings, SluiceTopics topics, Supplier<WorkerStatus> status, Tick tick) {
    this.settings = settings;
    this.topics = topics;
    this.status = status;
    this.tick = tick;
    Map<String, Object> props = new java.util.HashMap<>(settings.kafka());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, settings.workerId() + "-heartbeat");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.statusProducer = new KafkaProducer<>(props, topics.workers().keySerde().serializer(),
        topics.workers().valueSerde().serializer());
    this.kvProducer = new KafkaProducer<>(props, topics.kvEvents().keySerde().serializer(),
        topics.kvEvents().valueSerde().serializer());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-heartbeat-" + settings.workerId());
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    timer.scheduleAtFixedRate(this::beat, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends the current status now. */
  public void beat() {
    try {
      WorkerStatus s = status.get();
      tick.onTick(s);
      statusProducer.send(new ProducerRecord<>(topics.workers().name(), settings.workerId(), s));
    } catch (RuntimeException e) {
      LOG.warn("worker {}: heartbeat failed: {}", settings.workerId(), e.toString());
    }
  }

  /** One KvEvent per lane that stored or evicted blocks. */
  public void kvChanges(List<KvChange> changes) {
    long now = System.currentTimeMillis();
    for (KvChange c : changes) {
      KvEvent event = KvEvent.newBuilder()
          .setWorkerId(settings.workerId())
          .setStage(settings.stage())
          .setLane(c.lane())
          .setStored(c.stored().stream().map(ByteBuffer::wrap).toList())
          .setEvicted(c.evicted().stream().map(ByteBuffer::wrap).toList())
          .setTimestampMs(now)
          .build();
      kvProducer.send(new ProducerRecord<>(topics.kvEvents().name(), settings.workerId(), event));
    }
  }

  /** Stops beating; a clean shutdown writes a tombstone so readers drop the worker at once. */
  public void close(boolean tombstone) {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (tombstone) {
      statusProducer.send(new ProducerRecord<>(topics.workers().name(), settings.workerId(), null));
    }
    statusProducer.close(Duration.ofSeconds(5));
    kvProducer.close(Duration.ofSeconds(5));
  }

  @Override
  public void close() {
    close(true);
  }
}
