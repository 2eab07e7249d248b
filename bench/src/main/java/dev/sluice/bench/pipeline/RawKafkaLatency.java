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
   * Pings in the background (one record every {@code periodMs}) until closed: Kafka's own latency
   * under whatever else the machine is doing meanwhile.
   */
  static final class Pinger implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    private final Histogram histogram = new Histogram(3_600_000L, 3);

    Pinger(String bootstrap, String topic, int periodMs) {
      thread = new Thread(() -> {
        try {
          while (running) {
            Histogram one = measure(bootstrap, topic, 20, 3 * 1024, periodMs, () -> running);
            synchronized (histogram) {
              histogram.add(one);
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "bench-kafka-ping");
      thread.setDaemon(true);
      thread.start();
    }

    Histogram histogram() {
      synchronized (histogram) {
        return histogram.copy();
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }

  static Histogram measure(String bootstrap, String topic, int count, int bytes) throws Exception {
    return measure(bootstrap, topic, count, bytes, 0, () -> true);
  }

  /** {@code count} records of {@code bytes} bytes, each sent once the previous one was consumed. */
  private static Histogram measure(String bootstrap, String topic, int count, int bytes, int periodMs,
      java.util.function.BooleanSupplier go) throws Exception {
    Histogram h = new Histogram(3_600_000L, 3);
    Map<String, Object> pp = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG,
        0, ProducerConfig.ACKS_CONFIG, "all");
    Map<String, Object> cp = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
            new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      if (!admin.listTopics().names().get().contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      }
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      byte[] value = new byte[bytes];
      for (int i = 0; i < count && go.getAsBoolean(); i++) {
        if (periodMs > 0) {
          Thread.sleep(periodMs);
        }
        // Stamped as the hops are (StageStamp: epoch milliseconds at send and at read), so both carry the
        // same rounding; elapsed nanoseconds cut to whole ms would read half a millisecond low on average.
        long sent = System.currentTimeMillis();
        producer.send(new ProducerRecord<>(topic, value));
        while (consumer.poll(Duration.ofMillis(100)).isEmpty()) {
          // wait for it
        }
        h.recordValue(Math.max(0, System.currentTimeMillis() - sent));
      }
    }
    return h;
  }
}
