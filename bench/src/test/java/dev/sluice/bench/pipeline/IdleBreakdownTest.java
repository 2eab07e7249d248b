package dev.sluice.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleBreakdownTest {
  /** received, started, sent of one stage's step. */
  private static StageStamp stamp(int stage, long received, long started, long sent) {
    return StageStamp.newBuilder().setStage(stage).setWorkerId("w" + stage).setReceivedAtMs(received)
        .setStartedAtMs(started).setSentAtMs(sent).build();
  }

  private static StageWork loopBack(int pos, StageStamp... stamps) {
    return StageWork.newBuilder().setRequestId("r").setLane(0).setKind(WorkKind.DECODE).setStartPos(pos)
        .setEndPos(pos + 1).setTokenIds(List.of(1)).setPromptLength(1)
        .setSampling(Sampling.newBuilder().setMaxTokens(4).build()).setStamps(List.of(stamps)).build();
  }

  // two tokens of one sequence through two stages:
  //   stage 0 [0, 100)            ... waits for stage 1 until 180, the loop-back is read at 184, starts at 190
  //   stage 1       read 103, [110, 180) ... waits for stage 0 until 290, reads at 293 and starts at once
  private static final List<StageWork> TWO_TOKENS = List.of(
      loopBack(1, stamp(0, 0, 0, 100), stamp(1, 103, 110, 180)),
      loopBack(2, stamp(0, 184, 190, 290), stamp(1, 293, 293, 350)));

  @Test
  void shouldCutEachGapIntoUpstreamInKafkaAndAfterArrival() {
    IdleBreakdown.Idle[] idle = IdleBreakdown.of(LoopBacks.byRequest(TWO_TOKENS, 2), 2, List.<long[]>of(new long[] {0, 400}));

    // stage 0's gap 100 → 190: stage 1 computed until 180, the record was in Kafka until 184, then 6 ms more
    assertThat(idle[0]).isEqualTo(new IdleBreakdown.Idle(80, 4, 6, 400));
    // stage 1's gap 180 → 293: stage 0 computed until 290, in Kafka until 293
    assertThat(idle[1]).isEqualTo(new IdleBreakdown.Idle(110, 3, 0, 400));
    assertThat(idle[0].share(idle[0].totalMs())).isEqualTo(90 / 400.0);
  }

  @Test
  void shouldCountOnlyGapsInsideTheMeasuredRounds() {
    IdleBreakdown.Idle[] idle = IdleBreakdown.of(LoopBacks.byRequest(TWO_TOKENS, 2), 2, List.<long[]>of(new long[] {150, 400}));

    assertThat(idle[0].totalMs()).isZero(); // its gap began at 100, before the window
    assertThat(idle[1].totalMs()).isEqualTo(113);
  }
}
