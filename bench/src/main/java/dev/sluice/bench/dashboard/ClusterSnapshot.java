package dev.sluice.bench.dashboard;

import java.util.List;

/**
 * What the dashboard shows at one moment, computed from Kafka only (heartbeats on
 * {@code <prefix>.workers}, committed offsets of the stage and router groups, end offsets of results
 * and DLQ). Serialized as-is to {@code GET /api/snapshot}.
 *
 * @param timeMs when the sample was taken
 * @param prefix topic prefix of the pipeline
 * @param totals the header figures
 * @param stages one entry per existing {@code <prefix>.stage-K} topic, K = 0..
 * @param router lag of the router's group on the requests topic
 * @param results throughput of the results topic and size of the DLQ
 * @param history the last five minutes of the header figures, oldest first
 */
public record ClusterSnapshot(
    long timeMs, String prefix, Totals totals, List<StageView> stages, RouterView router, ResultsView results,
    List<HistoryPoint> history) {

  /**
   * @param liveWorkers workers with a fresh heartbeat
   * @param staleWorkers workers silent for longer than the directory's stale limit
   * @param totalLag records waiting on every stage topic, summed over stages and lanes
   * @param tokensPerSecond tokens through stage 0 per second (every token passes each stage once)
   * @param hitRate kvHits / (kvHits + kvMisses) over live workers; null before any lookup
   */
  public record Totals(int liveWorkers, int staleWorkers, long totalLag, double tokensPerSecond, Double hitRate) {}

  /**
   * @param laneLag records waiting per lane (index = lane = partition)
   * @param laneOwner id of the live worker that owns each lane, null when none does
   * @param tokensPerSecond the stage's workers' tokens per second, summed
   */
  public record StageView(
      int stage, String topic, String group, int lanes, long lag, List<Long> laneLag, List<String> laneOwner,
      double tokensPerSecond, List<WorkerRow> workers) {}

  /**
   * One worker's latest heartbeat.
   *
   * @param layers inclusive range "A-B" as on the command line (the record's layerEnd is exclusive)
   * @param hitRate kvHits / (kvHits + kvMisses), null before any lookup
   * @param tokensPerSecond from its heartbeats of the last five seconds (the first and last of them)
   * @param heartbeatAgeMs how long ago the latest heartbeat was taken or read, by this process's clock
   */
  public record WorkerRow(
      String id, String host, int stage, String layers, List<Integer> lanes, String state, boolean stale,
      int queueDepth, int activeSequences, long kvBlocksUsed, long kvBlocksCapacity, long kvHits, long kvMisses,
      Double hitRate, long tokensProcessed, long requestsServed, double tokensPerSecond, long heartbeatAgeMs) {}

  /** @param lag records on the requests topic not yet committed by the router group */
  public record RouterView(String group, String topic, long lag) {}

  /**
   * @param records records written to the results topic so far (sum of end offsets)
   * @param recordsPerSecond from end-offset deltas between samples
   * @param dlqSize records held on the DLQ (end minus start offsets)
   */
  public record ResultsView(String topic, long records, double recordsPerSecond, String dlqTopic, long dlqSize) {}

  /** One point of the sparklines. */
  public record HistoryPoint(long timeMs, double tokensPerSecond, long totalLag, Double hitRate) {}
}
