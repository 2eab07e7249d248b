package dev.sluice.bench.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produce→consume latency of one record at a time on this broker now: the baseline for every hop. */
final class RawKafkaLatency {
  private RawKafkaLatency() {}

  /**
   * Pings in the background (one record every {@code periodMs}) until closed, over one producer and
   * one consumer for its whole life, and records the pings into the histogram it is given: Kafka's own
   * latency under whatever else the machine is doing meanwhile. It pings at the same rate while it
   * records nothing, so every round, of either side, pays the same for it.
   */
  static final class Pinger implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    private Histogram target;

    Pinger(String bootstrap, String topic, int periodMs, int bytes) {
      thread = new Thread(() -> {
        try (Link link = new Link(bootstrap, topic, bytes)) {
          while (running) {
            Thread.sleep(periodMs);
            long ms = link.pingMs();
            synchronized (this) {
              if (target != null) {
                target.recordValue(ms);
              }
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "bench-kafka-ping");
      thread.setDaemon(true);
      thread.start();
    }

    /** Records the pings from now on into {@code histogram} (null: records none). */
    synchronized void recordInto(Histogram histogram) {
      target = histogram;
    }

    /** Records the next {@code count} pings alone: the latency with nothing else running. */
    Histogram next(int count) throws InterruptedException {
      Histogram h = new Histogram(3_600_000L, 3);
      recordInto(h);
      while (thread.isAlive()) {
        synchronized (this) {
          if (h.getTotalCount() >= count) {
            break;
          }
        }
        Thread.sleep(20);
      }
      recordInto(null);
      synchronized (this) {
        return h.copy();
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }

  /** A producer and a consumer of a one-partition topic (created when missing). */
  private static final class Link implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final byte[] value;

    Link(String bootstrap, String topic, int bytes) throws Exception {
      this.topic = topic;
      this.value = new byte[bytes];
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        if (!admin.listTopics().names().get().contains(topic)) {
          admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
      }
      producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(),
          new ByteArraySerializer());
      consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
    }

    /** Sends one record and reads it back: milliseconds between. */
    long pingMs() {
      // Stamped as the hops are (StageStamp: epoch milliseconds at send and at read), so both carry the
      // same rounding; elapsed nanoseconds cut to whole ms would read half a millisecond low on average.
      long sent = System.currentTimeMillis();
      producer.send(new ProducerRecord<>(topic, value));
      while (consumer.poll(Duration.ofMillis(100)).isEmpty()) {
        // wait for it
      }
      return Math.max(0, System.currentTimeMillis() - sent);
    }

    @Override
    public void close() {
      producer.close();
      consumer.close();
    }
  }
}
