package dev.sluice.worker.status;

import dev.sluice.schemas.WorkerStatus;
import dev.sluice.worker.WorkerSettings;
import dev.sluice.worker.cache.BlockCache;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** What a heartbeat says: identity, lanes, load, cache counters and {@link WorkerHealth}'s state. */
public final class WorkerStatusSource {
  /** Counters the heartbeat reports and moves into Prometheus. */
  public interface Counters {
    long tokens();

    long requestsServed();

    void cacheDeltas(long hits, long misses, long evictions);

    void gauges(int queueDepth, int active, long kvBlocks);
  }

  private final WorkerSettings settings;
  private final WorkerHealth health;
  private final Supplier<Set<Integer>> lanes;
  private final IntSupplier queueDepth;
  private final IntSupplier activeSequences;
  private final BlockCache cache;
  private final Counters counters;
  private final String host = hostName();
  private long reportedHits;
  private long reportedMisses;
  private long reportedEvictions;

  public WorkerStatusSource(WorkerSettings settings, WorkerHealth health, Supplier<Set<Integer>> lanes,
      IntSupplier queueDepth, IntSupplier activeSequences, BlockCache cache, Counters counters) {
    this.settings = settings;
    this.health = health;
    this.lanes = lanes;
    this.queueDepth = queueDepth;
    this.activeSequences = activeSequences;
    this.cache = cache;
    this.counters = counters;
  }

  /** The current heartbeat. */
  public WorkerStatus status() {
    return WorkerStatus.newBuilder()
        .setWorkerId(settings.workerId())
        .setHost(host)
        .setStage(settings.stage())
        .setLayerStart(settings.layers().start())
        .setLayerEnd(settings.layers().end())
        .setLanes(new ArrayList<>(new TreeSet<>(lanes.get())))
        .setQueueDepth(queueDepth.getAsInt())
        .setActiveSequences(activeSequences.getAsInt())
        .setKvBlocksUsed(cache == null ? 0 : cache.size())
        .setKvBlocksCapacity(cache == null ? 0 : cache.capacityBlocks())
        .setKvHits(cache == null ? 0 : cache.hits())
        .setKvMisses(cache == null ? 0 : cache.misses())
        .setKvEvictions(cache == null ? 0 : cache.evictions())
        .setTokensProcessed(counters.tokens())
        .setRequestsServed(counters.requestsServed())
        .setState(health.state())
        .setModel(settings.modelId())
        .setBlockSize(settings.blockSize())
        .setTimestampMs(System.currentTimeMillis())
        .build();
  }

  /** Heartbeat thread: moves cache counters and gauges into Prometheus. */
  public synchronized void onTick(WorkerStatus s) {
    counters.cacheDeltas(s.getKvHits() - reportedHits, s.getKvMisses() - reportedMisses,
        s.getKvEvictions() - reportedEvictions);
    reportedHits = s.getKvHits();
    reportedMisses = s.getKvMisses();
    reportedEvictions = s.getKvEvictions();
    counters.gauges(s.getQueueDepth(), s.getActiveSequences(), s.getKvBlocksUsed());
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
