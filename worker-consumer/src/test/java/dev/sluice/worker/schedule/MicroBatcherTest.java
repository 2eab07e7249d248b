package dev.sluice.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.worker.fetch.PolledRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private static final Set<Integer> LANES = Set.of(0, 1, 2, 3);

  /** Record {@code i} of one upstream step that sent one record to each of {@code stepLanes}. */
  private static PolledRecord fromStep(int i, List<Integer> stepLanes, long stepStartedAt) {
    StageWork work = StageWork.newBuilder().setRequestId("r" + i).setLane(stepLanes.get(i)).setKind(WorkKind.DECODE)
        .setStartPos(40).setEndPos(41).setTokenIds(List.of(1)).setPromptLength(1)
        .setSampling(Sampling.newBuilder().setMaxTokens(8).build())
        .setStamps(List.of(new StageStamp(0, "w0", 1L, stepStartedAt + 5, stepStartedAt, stepLanes))).build();
    return new PolledRecord(new ConsumerRecord<>("stage-1", stepLanes.get(i), i, "r" + i, new byte[0]), work, 0);
  }

  /** Records r{from}..r{to - 1} as the router writes them to stage-0 (over 4 partitions), not yet read as work. */
  private static List<PolledRecord> routerRecords(int from, int to) {
    List<PolledRecord> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new PolledRecord(new ConsumerRecord<>("stage-0", i % 4, i, "r" + i, new byte[0]), null, 0));
    }
    return out;
  }

  private static List<PolledRecord> step(int records, long startedAt) {
    List<Integer> lanes = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      lanes.add(i % LANES.size());
    }
    List<PolledRecord> out = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      out.add(fromStep(i, lanes, startedAt));
    }
    return out;
  }

  /**
   * A batcher of a 2-stage pipeline (batching window 5 ms) over {@code waiting}, owning {@link #LANES}, that served
   * {@code recent} sequences in the last second.
   */
  private static MicroBatcher batcher(List<PolledRecord> waiting, int recent, Predicate<String> served,
      int maxBatchSize) {
    ReadyQueue ready = new ReadyQueue();
    ready.addAll(waiting);
    return new MicroBatcher(ready, () -> recent, served, () -> LANES, new BatchLimits(maxBatchSize, 5, 2));
  }

  @Test
  void shouldNotCutAnUpstreamMicroBatchAgainWhenThisStageHasJustStarted() throws InterruptedException {
    // nothing served yet: the cap from expected sequences alone would be ceil(5 / 2) = 3
    MicroBatcher batcher = batcher(step(5, 100), 0, id -> false, 16);
    assertThat(batcher.next()).hasSize(5);
  }

  @Test
  void shouldStillCutToTheCapWhenTheUpstreamStepWasLarger() throws InterruptedException {
    MicroBatcher batcher = batcher(step(12, 100), 12, id -> true, 8);
    assertThat(batcher.next()).hasSize(8);
    assertThat(batcher.next()).hasSize(4);
  }

  @Test
  void shouldCountNewRequestsBesideTheSequencesAlreadyServed() throws InterruptedException {
    // r0..r7 were just prefilled here (they are in the other stage now); r8..r15 are new:
    // 16 sequences, so micro-batches of 8, not ceil(max(8, 8) / 2) = 4
    MicroBatcher batcher = batcher(routerRecords(8, 16), 8, id -> Integer.parseInt(id.substring(1)) < 8, 16);
    assertThat(batcher.next()).hasSize(8);
    assertThat(batcher.expected()).isEqualTo(16);
  }

  @Test
  void shouldCutRouterRecordsIntoOneMicroBatchPerStage() throws InterruptedException {
    MicroBatcher batcher = batcher(routerRecords(0, 16), 0, id -> false, 16);
    assertThat(batcher.next()).hasSize(8);
  }
}
