package dev.sluice.worker.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import dev.sluice.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hot tier's memory bounds: a byte budget (least recently used go first) and the idle timeout. */
class HotSequencesTest {

  private static StageModel model() {
    return StageModel.load(SharedData.stories260K(), LayerRange.parse("0-1"));
  }

  @Test
  void shouldKeepTheHotTierWithinItsByteBudget() {
    try (StageModel model = model()) {
      long perSequence = new HotSequences(model, 1).bytesFor(16);
      try (HotSequences hot = new HotSequences(model, 2 * perSequence)) {
        hot.create("a", 0, 16, 0, 100);
        hot.create("b", 0, 16, 0, 300);
        hot.get("a").lastUsedMs = 400; // a was used after b
        hot.create("c", 1, 16, 0, 500);
        assertThat(hot.size()).isEqualTo(2);
        assertThat(hot.get("b")).isNull();
        assertThat(hot.get("a")).isNotNull();
        assertThat(hot.usedBytes()).isEqualTo(2 * perSequence);
        // one long sequence weighs as much as many short ones: it pushes both out
        hot.create("long", 2, 32, 0, 600);
        assertThat(hot.size()).isEqualTo(1);
        assertThat(hot.usedBytes()).isEqualTo(2 * perSequence);
      }
    }
  }

  @Test
  void shouldRefuseASequenceLargerThanTheWholeBudget() {
    try (StageModel model = model(); HotSequences hot = new HotSequences(model, 1024)) {
      assertThatThrownBy(() -> hot.create("huge", 0, 512, 0, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("hot_kv_mb");
    }
  }

  @Test
  void shouldNeverReleaseASequenceOfTheCurrentStep() {
    try (StageModel model = model()) {
      long perSequence = new HotSequences(model, 1).bytesFor(16);
      try (HotSequences hot = new HotSequences(model, perSequence)) {
        hot.create("a", 0, 16, 0, 700);
        hot.create("b", 0, 16, 0, 700); // same step: over budget until it ends, a kept
        assertThat(hot.get("a")).isNotNull();
        assertThat(hot.size()).isEqualTo(2);
      }
    }
  }

  @Test
  void shouldReleaseIdleSequencesAndThoseOfLostLanes() {
    try (StageModel model = model(); HotSequences hot = new HotSequences(model, 64L << 20)) {
      hot.create("old", 0, 16, 0, 1_000);
      hot.create("fresh", 1, 16, 0, 9_000);
      hot.create("lane2", 2, 16, 0, 9_000);
      hot.releaseIdle(10_000, 5_000);
      assertThat(hot.get("old")).isNull();
      hot.releaseLanes(List.of(2));
      assertThat(hot.get("lane2")).isNull();
      assertThat(hot.get("fresh")).isNotNull();
      assertThat(hot.recentlyUsed(8_000)).isEqualTo(1);
    }
  }
}
