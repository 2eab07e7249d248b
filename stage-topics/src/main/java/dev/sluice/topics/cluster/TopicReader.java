package dev.sluice.topics.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a whole topic (every partition, with no consumer group and no commits) on its own daemon
 * thread, and hands each record to a listener. {@link From#BEGINNING}: the way every process learns
 * the latest value per key of the compacted {@code <prefix>.workers} and {@code <prefix>.cancels};
 * {@link From#END}: a tail, what arrives from the start on (the router's view of {@code <prefix>.results}).
 *
 * <p>While the topic is missing it logs once and looks again every few seconds. A tombstone reaches
 * the listener with a null value; a value that cannot be decoded is skipped with one log line.
 * {@link #isCaughtUp()} turns true once it has read up to the end the topic had when reading began
 * (from the end: once its position at the end is fixed, so nothing written after that is missed).
 */
public final class TopicReader<V> implements AutoCloseable {
  /** Where reading begins. */
  public enum From { BEGINNING, END }

  private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long MISSING_RETRY_MS = 5_000;

  /** Told of every record, on the reader's thread. */
  @FunctionalInterface
  public interface Listener<V> {
    /**
     * @param value the decoded value, or null for a tombstone
     * @param timestampMs the record's timestamp
     * @param caughtUp false while the reader is still reading what the topic held when it began
     */
    void record(String key, V value, long timestampMs, boolean caughtUp);
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Deserializer<V> values;
  private final Listener<V> listener;
  private final String whileMissing;
  private final From from;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param clientProps bootstrap servers and pass-through client settings (a group id in them is dropped)
   * @param clientId the consumer's client id, also its thread's name
   * @param whileMissing what it means that the topic is missing, logged once
   */
  public TopicReader(Map<String, Object> clientProps, String clientId, String topic, Deserializer<V> values,
      String whileMissing, Listener<V> listener) {
    this(clientProps, clientId, topic, From.BEGINNING, values, whileMissing, listener);
  }

  /** @param from where reading begins: the beginning (compacted topics) or the end (a tail) */
  public TopicReader(Map<String, Object> clientProps, String clientId, String topic, From from, Deserializer<V> values,
      String whileMissing, Listener<V> listener) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    p.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.values = values;
    this.whileMissing = whileMissing;
    this.from = from;
    this.listener = listener;
    this.thread = new Thread(this::run, "sluice-" + clientId);
    this.thread.setDaemon(true);
  }

  /** Starts reading; returns at once. */
  public TopicReader<V> start() {
    thread.start();
    return this;
  }

  public String topic() {
    return topic;
  }

  /** True once the topic was read up to its end as of the start. */
  public boolean isCaughtUp() {
    return caughtUp.getCount() == 0;
  }

  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions == null) return;
      consumer.assign(partitions);
      Map<TopicPartition, Long> end;
      if (from == From.BEGINNING) {
        consumer.seekToBeginning(partitions);
        end = endOffsets(partitions);
        if (end == null) return;
      } else {
        consumer.seekToEnd(partitions);
        if (!fixPositions(partitions)) return;
        end = Map.of();
      }
      while (running) {
        if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) accept(r);
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the reader of {} stopped", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** The topic's partitions once it exists; null when closed first. */
  private List<TopicPartition> awaitPartitions() {
    boolean warned = false;
    while (running) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // a broker slow to answer (starting, restarting, overloaded) is not a reason to stop reading
        LOG.warn("no metadata for {} within 5 s ({}); asking again", topic, e.getMessage());
        continue;
      }
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      }
      if (!warned) {
        LOG.warn("topic {} does not exist yet ({}); reading it once it does", topic, whileMissing);
        warned = true;
      }
      long until = System.currentTimeMillis() + MISSING_RETRY_MS;
      while (running && System.currentTimeMillis() < until) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
    }
    return null;
  }

  /** The partitions' end offsets, asked again while the broker does not answer in time; null when closed first. */
  private Map<TopicPartition, Long> endOffsets(List<TopicPartition> partitions) {
    while (running) {
      try {
        return consumer.endOffsets(partitions, Duration.ofSeconds(5));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        LOG.warn("no end offsets of {} within 5 s ({}); asking again", topic, e.getMessage());
      }
    }
    return null;
  }

  /** Resolves the (lazy) seek of every partition now, asking again while the broker does not answer in time. */
  private boolean fixPositions(List<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      while (true) {
        if (!running) return false;
        try {
          consumer.position(tp, Duration.ofSeconds(5));
          break;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          LOG.warn("no position in {} within 5 s ({}); asking again", tp, e.getMessage());
        }
      }
    }
    return true;
  }

  private void accept(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) return;
    boolean live = isCaughtUp();
    if (r.value() == null) {
      listener.record(r.key(), null, r.timestamp(), live);
      return;
    }
    V value;
    try {
      value = values.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      LOG.warn("skipping unreadable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return;
    }
    listener.record(r.key(), value, r.timestamp(), live);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    if (thread.isAlive()) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}
