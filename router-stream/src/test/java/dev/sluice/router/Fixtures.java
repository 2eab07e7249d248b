package dev.sluice.router;

import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.topics.cluster.WorkersSnapshot;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Requests, heartbeats and prompts for router tests. */
public final class Fixtures {
  private Fixtures() {}

  public static final String MODEL = "stories260K";

  /** Token ids 1 (BOS), then {@code length - 1} ids derived from {@code seed}: prompts of one seed share prefixes. */
  public static int[] prompt(int seed, int length) {
    int[] t = new int[length];
    t[0] = 1;
    for (int i = 1; i < length; i++) t[i] = 3 + Math.floorMod(seed * 7919 + i * 31, 500);
    return t;
  }

  /** {@code shared} tokens of prompt(seedA) followed by tokens of prompt(seedB), {@code length} in all. */
  public static int[] sharedPrefix(int seedA, int shared, int seedB, int length) {
    int[] a = prompt(seedA, length);
    int[] b = prompt(seedB, length);
    int[] t = a.clone();
    System.arraycopy(b, shared, t, shared, length - shared);
    return t;
  }

  public static InferenceRequest request(String id, int[] tokens) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setModel(MODEL)
        .setPromptTokens(IntStream.of(tokens).boxed().toList())
        .setMaxTokens(8)
        .build();
  }

  public static WorkerStatus worker(String id, int stage, List<Integer> lanes, int queueDepth, long timestampMs) {
    return WorkerStatus.newBuilder()
        .setWorkerId(id)
        .setStage(stage)
        .setLayerStart(0)
        .setLayerEnd(5)
        .setLanes(new ArrayList<>(lanes))
        .setQueueDepth(queueDepth)
        .setState(WorkerState.READY)
        .setModel(MODEL)
        .setTimestampMs(timestampMs)
        .build();
  }

  /**
   * The workers at {@code nowMs} as a cluster view that heard each heartbeat at its own timestamp
   * (stale after 5 s).
   */
  public static WorkersSnapshot heardAtTheirTimestamps(long nowMs, List<WorkerStatus> beats) {
    ClusterView view = new ClusterView(ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER);
    for (WorkerStatus w : beats) view.heard(w.getWorkerId(), w, w.getTimestampMs());
    return view.snapshot(nowMs);
  }

  /** The shared data directory (model, golden logits), or null when it is absent. */
  public static Path sharedDir() {
    return SharedData.find().orElse(null);
  }
}
