package dev.sluice.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
  private static ConsumerRecord<String, String> rec(int partition, long offset, String key) {
    return new ConsumerRecord<>("t", partition, offset, key, "v");
  }

  @Test
  void shouldTakeOneRecordPerSequenceInArrivalOrder() {
    WorkQueue<String> q = new WorkQueue<>();
    q.add(rec(0, 0, "a"));
    q.add(rec(0, 1, "a"));
    q.add(rec(0, 2, "b"));
    List<ConsumerRecord<String, String>> batch = q.takeBatch(16, ConsumerRecord::key);
    assertThat(batch).extracting(ConsumerRecord::offset).containsExactly(0L, 2L);
    assertThat(q.takeBatch(16, ConsumerRecord::key)).extracting(ConsumerRecord::offset).containsExactly(1L);
  }

  @Test
  void shouldNeverCommitPastARecordStillWaiting() {
    WorkQueue<String> q = new WorkQueue<>();
    q.add(rec(0, 10, "a"));
    q.add(rec(0, 11, "a"));
    q.add(rec(0, 12, "b"));
    q.takeBatch(16, ConsumerRecord::key).forEach(q::done); // 10 and 12 done, 11 waits
    assertThat(q.committable().get(new TopicPartition("t", 0)).offset()).isEqualTo(11);
    q.takeBatch(16, ConsumerRecord::key).forEach(q::done);
    assertThat(q.committable().get(new TopicPartition("t", 0)).offset()).isEqualTo(13);
  }

  @Test
  void shouldForgetRecordsOfLostLanes() {
    WorkQueue<String> q = new WorkQueue<>();
    q.add(rec(0, 0, "a"));
    q.add(rec(1, 0, "b"));
    q.dropPartitions(List.of(new TopicPartition("t", 1)));
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.committable()).containsOnlyKeys(new TopicPartition("t", 0));
  }
}
