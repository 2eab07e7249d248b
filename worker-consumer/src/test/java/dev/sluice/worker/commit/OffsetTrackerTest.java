package dev.sluice.worker.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  @Test
  void shouldNeverCommitPastARecordNotFinished() {
    OffsetTracker t = new OffsetTracker();
    t.polled(P0, 10);
    t.polled(P0, 11);
    t.polled(P0, 12);
    t.done(P0, 10);
    t.done(P0, 12); // 11 still running
    assertThat(t.committable().get(P0).offset()).isEqualTo(11);
    t.done(P0, 11);
    assertThat(t.committable().get(P0).offset()).isEqualTo(13);
  }

  @Test
  void shouldOfferAFailedCommitAgain() {
    OffsetTracker t = new OffsetTracker();
    t.polled(P0, 0);
    t.done(P0, 0);
    Map<TopicPartition, OffsetAndMetadata> first = t.committable();
    assertThat(first).containsKey(P0);
    // the commit failed: nothing recorded, so the same offsets are offered again
    assertThat(t.committable()).isEqualTo(first);
    t.committed(first);
    assertThat(t.committable()).isEmpty();
  }

  @Test
  void shouldWaitForTheRecordsOfALaneToFinish() throws InterruptedException {
    OffsetTracker t = new OffsetTracker();
    t.polled(P1, 0);
    t.polled(P1, 1);
    assertThat(t.awaitFinished(List.of(P1), 1, 5)).isFalse(); // one in compute, one still queued
    new Thread(() -> t.done(P1, 0)).start();
    assertThat(t.awaitFinished(List.of(P1), 1, 5_000)).isTrue();
  }

  @Test
  void shouldForgetLostLanes() {
    OffsetTracker t = new OffsetTracker();
    t.polled(P0, 0);
    t.polled(P1, 0);
    t.forget(List.of(P1));
    assertThat(t.committable()).containsOnlyKeys(P0);
  }
}
