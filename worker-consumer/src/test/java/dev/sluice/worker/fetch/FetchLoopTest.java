package dev.sluice.worker.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.schemas.topic.Topic;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.commit.AtLeastOnceCommitter;
import dev.sluice.worker.commit.OffsetTracker;
import dev.sluice.worker.outbox.Outbox;
import dev.sluice.worker.outbox.OutboxBatch;
import dev.sluice.worker.schedule.ReadyQueue;
import dev.sluice.worker.status.WorkerHealth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fetch thread on a real consumer of the shared broker, with a fake outbox (its collaborator):
 * a rewind asked for while the thread is outside poll must not kill it.
 */
@ExtendWith(SharedKafkaExtension.class)
class FetchLoopTest {

  @Test
  void shouldSurviveARewindAskedForWhileTheThreadIsOutsidePoll() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("fetch-rewind");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(1));
    }
    Topic<String, StageWork> topic = new SluiceTopics(namespace).stage(0);
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 3; i++) {
        p.send(new ProducerRecord<>(topic.name(), 0, "r" + i, topic.valueSerde().serializer().serialize(topic.name(),
            work("r" + i)))).get(30, TimeUnit.SECONDS);
      }
      // unreadable bytes: the loop hands them to the outbox's deadLetter on the fetch thread, after its poll
      p.send(new ProducerRecord<>(topic.name(), 0, "garbage", new byte[] {1, 2, 3})).get(30, TimeUnit.SECONDS);
    }
    ReadyQueue ready = new ReadyQueue();
    OffsetTracker tracker = new OffsetTracker();
    WorkerHealth health = new WorkerHealth("w");
    AtomicReference<FetchLoop> loop = new AtomicReference<>();
    CompletableFuture<Void> rewound = new CompletableFuture<>();
    // The first dead letter asks for a rewind from another thread, as the transaction thread does after
    // a failed transaction, and returns only once it was asked: the fetch thread is outside poll then.
    Outbox outbox = new FakeOutbox(() -> {
      Thread asker = new Thread(() -> {
        try {
          loop.get().rewind();
          rewound.complete(null);
        } catch (Throwable e) {
          rewound.completeExceptionally(e);
        }
      });
      asker.start();
      sleep(300);
    });
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, namespace + ".stage-0",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer());
    AtomicLong rewinds = new AtomicLong();
    loop.set(new FetchLoop(consumer, topic, ready, tracker, new AtLeastOnceCommitter(tracker, "w"), outbox, health,
        new AtomicLong(), lanes -> {}, rewinds::incrementAndGet, 1000, "w"));
    loop.get().start();
    try {
      rewound.get(60, TimeUnit.SECONDS);
      assertThat(rewinds.get()).isEqualTo(1);
      // after the rewind the three records are read again, from the start (nothing was committed)
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ready.size() == 3);
      assertThat(health.failed()).as("the fetch thread is alive: %s", health.failure()).isFalse();
    } finally {
      loop.get().stop(true);
    }
  }

  private static StageWork work(String id) {
    return StageWork.newBuilder().setRequestId(id).setLane(0).setKind(WorkKind.PREFILL_CHUNK).setStartPos(0).setEndPos(1)
        .setTokenIds(List.of(1)).setPromptLength(1).setSampling(Sampling.newBuilder().setMaxTokens(1).build()).build();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes nothing but dead letters; the first one runs {@code onFirstDeadLetter}. */
  private static final class FakeOutbox implements Outbox {
    private final Runnable onFirstDeadLetter;
    private boolean first = true;

    FakeOutbox(Runnable onFirstDeadLetter) {
      this.onFirstDeadLetter = onFirstDeadLetter;
    }

    @Override
    public void submit(OutboxBatch batch) {
      throw new UnsupportedOperationException("no compute thread in this test");
    }

    @Override
    public void deadLetter(PolledRecord record, String reason) {
      if (first) {
        first = false;
        onFirstDeadLetter.run();
      }
    }

    @Override
    public boolean awaitIdle(long timeoutMs) {
      return true;
    }

    @Override
    public long failedSends() {
      return 0;
    }

    @Override
    public void close(boolean flush) {}
  }
}
