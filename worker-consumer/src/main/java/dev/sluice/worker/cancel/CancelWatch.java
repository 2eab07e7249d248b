package dev.sluice.worker.cancel;

import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.serde.SluiceSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
 * Reads the whole {@code <prefix>.cancels} topic (no group: every worker of every stage sees every
 * cancel, from the beginning of its short retention, so a worker that starts late still knows the
 * cancels of requests that may reach it) and tells the compute thread of each cancelled request id.
 * Without the topic (a deployment made before it existed) the worker runs on and cancels reach it
 * only as CANCEL records on its lanes.
 */
public final class CancelWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CancelWatch.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long RETRY_MS = 5_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Consumer<String> cancelled;
  private final Deserializer<CancelRequest> decoder = SluiceSerdes.cancelRequest().deserializer();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param clientProps bootstrap servers and the pass-through client settings
   * @param cancelled told (on this thread) of every cancelled request id
   */
  public CancelWatch(Map<String, Object> clientProps, String topic, Consumer<String> cancelled, String workerId) {
    Map<String, Object> p = new java.util.HashMap<>(clientProps);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-cancels");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.cancelled = cancelled;
    this.thread = new Thread(this::run, "sluice-" + workerId + "-cancels");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    try {
      if (!assign()) {
        return;
      }
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          accept(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.warn("the cancels reader stopped; cancels still arrive as CANCEL records on the lanes", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Assigns every partition of the topic from the beginning; waits while the topic is missing. */
  private boolean assign() {
    boolean warned = false;
    while (running) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return true;
      }
      if (!warned) {
        LOG.warn("topic {} is missing ('sluice topics create' adds it); cancels reach this worker only on its lanes",
            topic);
        warned = true;
      }
      long until = System.currentTimeMillis() + RETRY_MS;
      while (running && System.currentTimeMillis() < until) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return false;
        }
      }
    }
    return false;
  }

  private void accept(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null || r.value() == null) {
      return; // a tombstone (compaction's delete marker) cancels nothing
    }
    try {
      CancelRequest c = decoder.deserialize(r.topic(), r.value());
      cancelled.accept(c.getRequestId().toString());
    } catch (RuntimeException e) {
      LOG.warn("skipping unreadable cancel {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
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
