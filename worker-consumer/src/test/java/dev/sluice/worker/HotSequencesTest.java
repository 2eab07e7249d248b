package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hot tier's memory bounds: a cap on sequences (least recently used go first) and the idle timeout. */
class HotSequencesTest {

  private static StageModel model() {
    Path dir = PipelineFixture.sharedDir().resolve("models/stories260K");
    assumeTrue(Files.isDirectory(dir), "shared model missing at " + dir);
    return StageModel.load(dir, LayerRange.parse("0-1"));
  }

  @Test
  void shouldReleaseTheLeastRecentlyUsedSequenceBeyondTheCap() {
    try (StageModel model = model(); HotSequences hot = new HotSequences(model, 2)) {
      hot.create("a", 0, 16, 0, 100);
      hot.create("b", 0, 16, 0, 300);
      hot.get("a").lastUsedMs = 400; // a was used after b
      hot.create("c", 1, 16, 0, 500);
      assertThat(hot.size()).isEqualTo(2);
      assertThat(hot.get("b")).isNull();
      assertThat(hot.get("a")).isNotNull();
    }
  }

  @Test
  void shouldReleaseIdleSequencesAndThoseOfLostLanes() {
    try (StageModel model = model(); HotSequences hot = new HotSequences(model, 10)) {
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
