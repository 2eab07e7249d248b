package dev.sluice.bench.dashboard;

import dev.sluice.bench.dashboard.ClusterSnapshot.HistoryPoint;
import dev.sluice.bench.dashboard.ClusterSnapshot.ResultsView;
import dev.sluice.bench.dashboard.ClusterSnapshot.RouterView;
import dev.sluice.bench.dashboard.ClusterSnapshot.StageView;
import dev.sluice.bench.dashboard.ClusterSnapshot.Totals;
import dev.sluice.bench.dashboard.ClusterSnapshot.WorkerRow;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.GroupIds;
import dev.sluice.topics.TopicLayout;
import dev.sluice.topics.cluster.KnownWorker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns heartbeats and offsets into {@link ClusterSnapshot}s. Keeps what rates need between samples
 * (each worker's previous token count, the results topic's previous end offset) and the sparkline
 * history of the last {@link #HISTORY}. Not thread-safe: one sampling thread calls {@link #sample}.
 */
final class ClusterSampler {
  static final Duration HISTORY = Duration.ofMinutes(5);
  static final Duration RATE_WINDOW = Duration.ofSeconds(5);

  private final SluiceTopics topics;
  private final GroupIds groups;
  private final Supplier<List<KnownWorker>> workers;
  private final KafkaOffsets offsets;
  private final Map<String, TokenRate> tokenRates = new HashMap<>();
  private final ArrayDeque<HistoryPoint> history = new ArrayDeque<>();
  private long previousResults = -1;
  private long previousResultsAtMs;

  ClusterSampler(String namespace, Supplier<List<KnownWorker>> workers, KafkaOffsets offsets) {
    this.topics = new SluiceTopics(namespace);
    this.groups = new GroupIds(topics);
    this.workers = workers;
    this.offsets = offsets;
  }

  ClusterSnapshot sample(long nowMs) {
    List<KnownWorker> views = workers.get();
    Set<String> existing = offsets.topicNames();
    List<String> stageTopics = new ArrayList<>();
    for (int k = 0, s = TopicLayout.stagesAmong(existing, topics); k < s; k++) stageTopics.add(topics.stage(k).name());
    List<String> described = new ArrayList<>(stageTopics);
    for (String t : List.of(topics.requests().name(), topics.results().name(), topics.dlq().name())) {
      if (existing.contains(t)) described.add(t);
    }
    Map<String, Integer> partitions = offsets.partitions(described);
    KafkaOffsets.Offsets ends = offsets.offsets(partitions);

    Map<String, WorkerRow> rows = new HashMap<>();
    for (KnownWorker view : views) rows.put(view.status().getWorkerId(), row(view, nowMs));
    tokenRates.keySet().retainAll(rows.keySet());

    List<StageView> stages = new ArrayList<>();
    for (int k = 0; k < stageTopics.size(); k++) {
      stages.add(stage(k, stageTopics.get(k), partitions.get(stageTopics.get(k)), ends, views, rows));
    }

    String requests = topics.requests().name();
    String routerGroup = groups.router();
    long routerLag = 0;
    if (partitions.containsKey(requests)) {
      Map<TopicPartition, Long> committed = offsets.committed(routerGroup);
      for (int p = 0; p < partitions.get(requests); p++) routerLag += KafkaOffsets.lag(new TopicPartition(requests, p), ends, committed);
    }

    String results = topics.results().name();
    long resultRecords = ends.endSum(results);
    double resultsPerSecond = 0;
    if (previousResults >= 0 && nowMs > previousResultsAtMs && resultRecords >= previousResults) {
      resultsPerSecond = (resultRecords - previousResults) * 1000.0 / (nowMs - previousResultsAtMs);
    }
    previousResults = resultRecords;
    previousResultsAtMs = nowMs;

    long hits = 0;
    long lookups = 0;
    int live = 0;
    for (WorkerRow r : rows.values()) {
      if (r.stale()) continue;
      live++;
      hits += r.kvHits();
      lookups += r.kvHits() + r.kvMisses();
    }
    Double hitRate = lookups == 0 ? null : (double) hits / lookups;
    long totalLag = stages.stream().mapToLong(StageView::lag).sum();
    double tokensPerSecond = stages.isEmpty() ? 0 : stages.get(0).tokensPerSecond();
    Totals totals = new Totals(live, rows.size() - live, totalLag, tokensPerSecond, hitRate);

    history.addLast(new HistoryPoint(nowMs, tokensPerSecond, totalLag, hitRate));
    while (!history.isEmpty() && history.peekFirst().timeMs() < nowMs - HISTORY.toMillis()) history.removeFirst();

    String dlq = topics.dlq().name();
    return new ClusterSnapshot(nowMs, topics.namespace(), totals, stages, new RouterView(routerGroup, requests, routerLag),
        new ResultsView(results, resultRecords, resultsPerSecond, dlq, partitions.containsKey(dlq) ? ends.size(dlq) : 0),
        List.copyOf(history));
  }

  private StageView stage(int k, String topic, int lanes, KafkaOffsets.Offsets ends, List<KnownWorker> views,
      Map<String, WorkerRow> rows) {
    String group = groups.stage(k);
    Map<TopicPartition, Long> committed = offsets.committed(group);
    List<Long> laneLag = new ArrayList<>();
    long lag = 0;
    for (int p = 0; p < lanes; p++) {
      long l = KafkaOffsets.lag(new TopicPartition(topic, p), ends, committed);
      laneLag.add(l);
      lag += l;
    }
    String[] owner = new String[lanes];
    // During a rebalance two heartbeats can claim a lane; the newer one wins.
    views.stream().filter(v -> v.status().getStage() == k && !rows.get(v.status().getWorkerId()).stale())
        .sorted(Comparator.comparingLong(v -> v.status().getTimestampMs()))
        .forEach(v -> v.status().getLanes().stream().filter(l -> l >= 0 && l < lanes)
            .forEach(l -> owner[l] = v.status().getWorkerId()));
    List<WorkerRow> stageRows = views.stream().filter(v -> v.status().getStage() == k)
        .map(v -> rows.get(v.status().getWorkerId())).toList();
    double tokensPerSecond = stageRows.stream().filter(r -> !r.stale()).mapToDouble(WorkerRow::tokensPerSecond).sum();
    return new StageView(k, topic, group, lanes, lag, laneLag, Arrays.asList(owner), tokensPerSecond, stageRows);
  }

  private WorkerRow row(KnownWorker view, long nowMs) {
    WorkerStatus s = view.status();
    long lookups = s.getKvHits() + s.getKvMisses();
    double rate = view.stale() ? 0 : tokenRates.computeIfAbsent(s.getWorkerId(), id -> new TokenRate())
        .update(s.getTokensProcessed(), s.getTimestampMs());
    return new WorkerRow(s.getWorkerId(), s.getHost(), s.getStage(), s.getLayerStart() + "-" + (s.getLayerEnd() - 1),
        List.copyOf(s.getLanes()), s.getState().name(), view.stale(), s.getQueueDepth(), s.getActiveSequences(),
        s.getKvBlocksUsed(), s.getKvBlocksCapacity(), s.getKvHits(), s.getKvMisses(),
        lookups == 0 ? null : (double) s.getKvHits() / lookups, s.getTokensProcessed(), s.getRequestsServed(), rate,
        Math.max(0, nowMs - view.heardAtMs()));
  }

  /**
   * Tokens per second of one worker over its heartbeats of the last {@link #RATE_WINDOW} (its own
   * clock on both ends); a window of a few heartbeats keeps the figure from jumping with batch timing.
   */
  private static final class TokenRate {
    private final ArrayDeque<long[]> beats = new ArrayDeque<>(); // {timestampMs, tokensProcessed}

    double update(long tokens, long atMs) {
      long[] last = beats.peekLast();
      if (last != null && tokens < last[1]) beats.clear(); // the worker restarted and counts from zero again
      if (last == null || atMs > last[0]) beats.addLast(new long[] {atMs, tokens});
      // Keep exactly one heartbeat at or before the window's start, so the window is always covered.
      while (beats.size() > 2 && atMs - secondOldest()[0] >= RATE_WINDOW.toMillis()) beats.removeFirst();
      long[] first = beats.peekFirst();
      long[] newest = beats.peekLast();
      if (newest[0] <= first[0]) return 0;
      return (newest[1] - first[1]) * 1000.0 / (newest[0] - first[0]);
    }

    private long[] secondOldest() {
      var it = beats.iterator();
      it.next();
      return it.next();
    }
  }
}
