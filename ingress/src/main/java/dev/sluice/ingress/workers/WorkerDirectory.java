package dev.sluice.ingress.workers;

import dev.sluice.results.KafkaSettings;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's workers as their heartbeats on {@code <prefix>.workers} describe them: the latest
 * status per worker id, read from the beginning of the compacted topic with no consumer group.
 * A tombstone (clean shutdown) removes a worker; one silent for longer than {@link #STALE_AFTER}
 * is reported as stale, and one silent for longer than {@code forgetAfter} is no longer listed (its
 * lanes have long moved to others).
 */
public final class WorkerDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerDirectory.class);
  public static final Duration STALE_AFTER = Duration.ofSeconds(5);

  /** One worker's latest heartbeat, when it was read, and whether it is stale now. */
  public record WorkerView(WorkerStatus status, long seenAtMs, boolean stale) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Deserializer<WorkerStatus> deserializer = SluiceSerdes.workerStatus().deserializer();
  private final Map<String, WorkerView> workers = new ConcurrentHashMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private final Duration forgetAfter;

  /** How long a silent worker stays listed by default. */
  public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(5);

  public WorkerDirectory(String bootstrapServers, String prefix, Map<String, Object> kafkaOverrides) {
    this(bootstrapServers, prefix, kafkaOverrides, DEFAULT_FORGET_AFTER);
  }

  /** @param forgetAfter how long after its last heartbeat a silent worker stays listed (as stale) */
  public WorkerDirectory(String bootstrapServers, String prefix, Map<String, Object> kafkaOverrides, Duration forgetAfter) {
    this.forgetAfter = forgetAfter;
    this.topic = new SluiceTopics(prefix).workers().name();
    this.consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, null, kafkaOverrides));
    this.thread = new Thread(this::run, "sluice-worker-directory");
    thread.setDaemon(true);
    thread.start();
  }

  /** True once the topic was read up to its end as of start. */
  public boolean isReady() {
    return caughtUp.getCount() == 0;
  }

  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every known worker, by stage then id. */
  public List<WorkerView> workers() {
    long now = System.currentTimeMillis();
    return workers.values().stream()
        .filter(w -> now - lastBeat(w) <= forgetAfter.toMillis())
        .map(w -> new WorkerView(w.status(), w.seenAtMs(), now - lastBeat(w) > STALE_AFTER.toMillis()))
        .sorted(Comparator.<WorkerView>comparingInt(w -> w.status().getStage()).thenComparing(w -> w.status().getWorkerId()))
        .collect(Collectors.toList());
  }

  /** Stages that have at least one live (not stale) READY worker. */
  public java.util.Set<Integer> stagesWithLiveWorkers() {
    return workers().stream().filter(w -> !w.stale() && w.status().getState() == dev.sluice.schemas.WorkerState.READY)
        .map(w -> w.status().getStage()).collect(Collectors.toSet());
  }

  /** Records waiting in the live workers of each stage, as their heartbeats say. */
  public Map<Integer, Long> queuedByStage() {
    return workers().stream().filter(w -> !w.stale())
        .collect(Collectors.groupingBy(w -> w.status().getStage(), Collectors.summingLong(w -> w.status().getQueueDepth())));
  }

  /** The models that live (not stale) workers serve. */
  public List<String> liveModels() {
    return workers().stream().filter(w -> !w.stale() && w.status().getModel() != null)
        .map(w -> w.status().getModel()).distinct().sorted().collect(Collectors.toList());
  }

  // A heartbeat's own timestamp can come from another host's clock; the time we read it is ours.
  private static long lastBeat(WorkerView w) {
    return Math.max(w.seenAtMs(), Math.min(w.status().getTimestampMs(), System.currentTimeMillis()));
  }

  private void run() {
    try {
      List<PartitionInfo> infos = null;
      while (running && (infos == null || infos.isEmpty())) {
        infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) {
          log.warn("topic {} does not exist yet; waiting for it", topic);
          Thread.sleep(1000);
        }
      }
      List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          apply(record);
        }
        if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("worker directory on {} stopped", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) return;
    if (record.value() == null) {
      workers.remove(record.key());
      return;
    }
    try {
      WorkerStatus status = deserializer.deserialize(record.topic(), record.value());
      // A heartbeat read while catching up is as old as its own timestamp, not "now".
      long seenAt = isReady() ? System.currentTimeMillis() : Math.min(record.timestamp(), System.currentTimeMillis());
      workers.put(record.key(), new WorkerView(status, seenAt, false));
    } catch (RuntimeException e) {
      log.warn("skipping unreadable heartbeat at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
