package dev.sluice.worker.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.testing.SharedData;
import dev.sluice.worker.cache.BlockCache;
import dev.sluice.worker.heartbeat.Heartbeat.KvChange;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step on the real stories260K model (stage 0 of two, layers 0-2) with a real Chronicle Map block
 * cache: its records come out before its prompt blocks are stored, and the request it ends is
 * released only once they are.
 */
class StepExecutorTest {
  private static final int BLOCK = 16;

  @Test
  void shouldHandOverTheStepsRecordsBeforeStoringItsPromptBlocks(@TempDir Path dir) {
    try (StageModel model = StageModel.load(SharedData.stories260K(), LayerRange.parse("0-2"))) {
      int blockBytes = BLOCK * model.kvBytesPerPosition();
      try (BlockCache cache = BlockCache.open(dir, "step", blockBytes, 8L * blockBytes);
           HotSequences hot = new HotSequences(model, 64L << 20)) {
        StepExecutor executor = new StepExecutor(model, 0, "s0w0", "stage-1", "stage-0", cache, BLOCK, hot,
            new ResultEmitter("results", "stage-0", null), new NoCounts());
        byte[] first = hash(1);
        byte[] second = hash(2);
        // 40 prompt tokens: two complete blocks of 16, one token to generate (this is its last step here)
        List<Integer> prompt = IntStream.range(0, 40).map(i -> 1 + i * 7 % 500).boxed().toList();
        StageWork work = StageWork.newBuilder().setRequestId("r").setLane(3).setKind(WorkKind.PREFILL_CHUNK)
            .setStartPos(0).setEndPos(40).setTokenIds(prompt).setPromptLength(40).setLastPromptChunk(true)
            .setSampling(Sampling.newBuilder().setMaxTokens(1).build()).setReplyPartition(0).setBlockSize(BLOCK)
            .setBlockHashes(List.of(ByteBuffer.wrap(first), ByteBuffer.wrap(second))).build();

        StepResult step = executor.run(List.of(work), new long[] {System.currentTimeMillis()});

        assertThat(step.outgoing()).singleElement().satisfies(o -> assertThat(o.topic()).isEqualTo("stage-1"));
        assertThat(cache.contains(first) || cache.contains(second)).as("stored before the hand-over").isFalse();
        assertThat(hot.get("r")).as("the request's hot KV, still to be stored").isNotNull();
        assertThatThrownBy(() -> executor.run(List.of(work), new long[] {0})).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not stored");

        List<KvChange> changes = executor.storeBlocks();

        assertThat(cache.contains(first) && cache.contains(second)).isTrue();
        assertThat(changes).singleElement().satisfies(k -> {
          assertThat(k.lane()).isEqualTo(3);
          assertThat(k.stored()).containsExactly(first, second);
          assertThat(k.evicted()).isEmpty();
        });
        assertThat(hot.get("r")).as("released once stored: its last step here").isNull();
        assertThat(executor.storeBlocks()).as("each step's blocks are stored once").isEmpty();
      }
    }
  }

  private static byte[] hash(int n) {
    byte[] h = new byte[16];
    h[0] = (byte) n;
    return h;
  }

  private static final class NoCounts implements StepCounters {
    @Override public void stepMillis(long millis, int batchSize) {}

    @Override public void requestServed() {}

    @Override public void duplicateDropped() {}

    @Override public void recomputeRequested() {}

    @Override public void recomputeRan() {}
  }
}
