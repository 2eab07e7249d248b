package dev.sluice.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.worker.fetch.PolledRecord;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReadyQueueTest {
  private static PolledRecord rec(int partition, long offset, String key) {
    return new PolledRecord(new ConsumerRecord<>("t", partition, offset, key, new byte[0]), null, 0);
  }

  @Test
  void shouldTakeOneRecordPerSequenceInArrivalOrder() {
    ReadyQueue q = new ReadyQueue();
    q.addAll(List.of(rec(0, 0, "a"), rec(0, 1, "a"), rec(0, 2, "b")));
    assertThat(q.sequences()).isEqualTo(2);
    assertThat(q.take(16)).extracting(r -> r.record().offset()).containsExactly(0L, 2L);
    assertThat(q.take(16)).extracting(r -> r.record().offset()).containsExactly(1L);
  }

  @Test
  void shouldTakeAtMostTheCap() {
    ReadyQueue q = new ReadyQueue();
    q.addAll(List.of(rec(0, 0, "a"), rec(0, 1, "b"), rec(0, 2, "c")));
    assertThat(q.take(2)).extracting(r -> r.record().key()).containsExactly("a", "b");
    assertThat(q.size()).isEqualTo(1);
  }

  @Test
  void shouldRemoveRecordsOfLostLanes() {
    ReadyQueue q = new ReadyQueue();
    q.addAll(List.of(rec(0, 0, "a"), rec(1, 0, "b"), rec(1, 1, "c")));
    assertThat(q.removePartitions(List.of(new TopicPartition("t", 1)))).isEqualTo(2);
    assertThat(q.size()).isEqualTo(1);
  }

  @Test
  void shouldWaitForRecordsOnlyUpToTheTimeout() throws InterruptedException {
    ReadyQueue q = new ReadyQueue();
    q.addAll(List.of(rec(0, 0, "a")));
    assertThat(q.awaitSize(2, 5)).isEqualTo(1);
  }
}
