package dev.sluice.bench.pipeline;

import dev.sluice.schemas.StageWork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The DECODE records looped back to stage 0, as the timeline, the idle breakdown and the token path read them. */
final class LoopBacks {
  private LoopBacks() {}

  /** Those with a stamp from every one of the {@code stages} stages, by request id, each request's in position order. */
  static Map<String, List<StageWork>> byRequest(List<StageWork> loopBacks, int stages) {
    Map<String, List<StageWork>> byRequest = new HashMap<>();
    for (StageWork w : loopBacks) {
      if (w.getStamps().size() >= stages) {
        byRequest.computeIfAbsent(w.getRequestId(), id -> new ArrayList<>()).add(w);
      }
    }
    byRequest.values().forEach(steps -> steps.sort(Comparator.comparingInt(StageWork::getStartPos)));
    return byRequest;
  }
}
