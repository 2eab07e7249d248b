package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker whose compute thread dies says FAILED at once and leaves its group; its lanes are served on. */
@ExtendWith(SharedKafkaExtension.class)
class WorkerFailureTest {

  @Test
  void shouldHeartbeatFailedAndHandItsLanesOverWhenItsComputeThreadDies() throws Exception {
    try (PipelineFixture f = new PipelineFixture("thread-dies", 2)) {
      f.start(f.settings(0, "0-2", f.namespace + "-w0"));
      AtomicInteger steps = new AtomicInteger();
      StageWorker dying = f.start(f.settings(1, "3-4", f.namespace + "-dying"), new FaultInjection() {
        @Override
        public boolean killComputeThread() {
          return steps.incrementAndGet() == 5;
        }
      });
      StageWorker survivor = f.start(f.settings(1, "3-4", f.namespace + "-survivor"));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady)
          && !dying.lanes().isEmpty() && !survivor.lanes().isEmpty());
      int[] golden = PipelineFixture.goldenTokens("golden_once_upon_a_time.bin");
      int[] prompt = Arrays.copyOf(golden, 5);
      List<String> ids = new ArrayList<>();
      for (int r = 0; r < 8; r++) {
        ids.add("dies-" + r);
        f.submit("dies-" + r, prompt, 16, r % PipelineFixture.LANES);
      }
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> dying.failure() != null);
      long failedAt = System.currentTimeMillis();
      assertThat(dying.isReady()).isFalse();
      // within one heartbeat period the workers topic says FAILED, so routers drop its lanes at once
      Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> lastState(f, dying.workerId()) == WorkerState.FAILED);
      assertThat(System.currentTimeMillis() - failedAt).isLessThan(3_000);

      Map<String, List<ResultEvent>> results = f.awaitResults(ids, Duration.ofSeconds(90));
      int[] expected = Arrays.copyOfRange(golden, prompt.length, prompt.length + 16);
      for (String id : ids) {
        PipelineFixture.done(results.get(id));
        assertThat(PipelineFixture.tokens(results.get(id))).as("tokens of %s", id).containsExactly(expected);
      }
      assertThat(survivor.lanes()).hasSize(PipelineFixture.LANES);
    }
  }

  private static WorkerState lastState(PipelineFixture f, String workerId) {
    Map<String, Object> p = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    WorkerState last = null;
    try (KafkaConsumer<String, WorkerStatus> c = new KafkaConsumer<>(p, new StringDeserializer(),
        SluiceSerdes.workerStatus().deserializer())) {
      String topic = f.topics.workers().name();
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition()))
          .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, WorkerStatus> r : c.poll(Duration.ofMillis(100))) {
          if (workerId.equals(r.key()) && r.value() != null) {
            last = r.value().getState();
          }
        }
      }
    }
    return last;
  }
}
