package dev.sluice.router.topology;

import dev.sluice.schemas.StageWork;
import java.util.ArrayList;
import java.util.List;

/** Splits a prompt into PREFILL_CHUNK records of at most {@code chunkTokens} positions each. */
public final class PrefillChunks {
  private PrefillChunks() {}

  /**
   * Every chunk carries the whole prompt's token ids and block hashes; only [startPos, endPos) and
   * lastPromptChunk differ, so stage 1 can start on chunk 1 while stage 0 runs chunk 2.
   */
  public static List<StageWork> split(StageWork prompt, int lane, int chunkTokens, long routedAtMs) {
    int length = prompt.getPromptLength();
    List<StageWork> chunks = new ArrayList<>((length + chunkTokens - 1) / chunkTokens);
    for (int start = 0; start < length; start += chunkTokens) {
      int end = Math.min(length, start + chunkTokens);
      chunks.add(StageWork.newBuilder(prompt)
          .setLane(lane)
          .setStartPos(start)
          .setEndPos(end)
          .setLastPromptChunk(end == length)
          .setRoutedAtMs(routedAtMs)
          .build());
    }
    return chunks;
  }
}
