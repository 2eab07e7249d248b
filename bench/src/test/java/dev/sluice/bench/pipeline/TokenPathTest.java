package dev.sluice.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenPathTest {
  /** A looped-back record of the step at {@code pos}: stage 0 read at r0, ran [s0, e0); stage 1 read at r1, ran [s1, e1). */
  private static StageWork step(int pos, long r0, long s0, long e0, long r1, long s1, long e1) {
    List<StageStamp> stamps = new ArrayList<>();
    stamps.add(new StageStamp(0, "w0", r0, e0, s0, List.of(0)));
    stamps.add(new StageStamp(1, "w1", r1, e1, s1, List.of(0)));
    return StageWork.newBuilder().setRequestId("r").setLane(0).setKind(WorkKind.DECODE).setStartPos(pos)
        .setEndPos(pos + 1).setTokenIds(List.of(1)).setPromptLength(4)
        .setSampling(Sampling.newBuilder().setMaxTokens(4).build()).setStamps(stamps).build();
  }

  @Test
  void shouldSplitEachTokenAfterTheFirstIntoLoopBackWaitsStepsAndHops() {
    // the prompt's step (left out), then two tokens: loop-back 2, wait 1, step 10, hop 3, wait 0, step 8
    List<StageWork> records = List.of(step(6, 148, 149, 159, 162, 162, 170), step(4, 0, 0, 100, 103, 103, 122),
        step(5, 124, 125, 135, 138, 138, 146)); // out of order, as read back from the lanes

    TokenPath path = TokenPath.of(LoopBacks.byRequest(records, 2).get("r"), 2);

    assertThat(path.tokens()).isEqualTo(2);
    assertThat(path.hopMs()[1]).isEqualTo(2.0); // loop-back: 122 -> 124, 146 -> 148
    assertThat(path.waitMs()).containsExactly(1.0, 0.0);
    assertThat(path.stepMs()).containsExactly(10.0, 8.0);
    assertThat(path.hopMs()[0]).isEqualTo(3.0);
    assertThat(path.describe()).isEqualTo(
        "loop-back 2.0, stage 0 wait 1.0 + step 10.0, hop 3.0, stage 1 wait 0.0 + step 8.0 ms (means over 2 tokens)");
  }
}
