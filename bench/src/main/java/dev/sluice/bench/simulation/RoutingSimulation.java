package dev.sluice.bench.simulation;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.InMemoryPrefixIndex;
import dev.sluice.router.policy.PrefixIndex;
import dev.sluice.router.policy.RoutingDecision;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.router.policy.RoutingPolicy;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.router.view.LaneView;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.hash.BlockHasher;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Replays a trace through a routing policy against simulated lanes, without Kafka or a model, so
 * policies can be compared on the same workload (the bench module's policy report calls this).
 *
 * <p>Lane model: each lane is one FIFO server with its own LRU block cache of
 * {@code cacheBlocksPerLane} blocks. A request's service time is its uncached prompt tokens /
 * {@code prefillTokensPerSecond} plus {@code outputTokens × decodeMsPerToken}. The load a policy
 * sees is what the router sees: its {@link InFlightWork} table of placements not finished yet, with
 * the progress the results would show (the first token ends a request's prefill, then one token per
 * decode step), in seconds of work at the lanes' speed (the policies are given that speed). A
 * request's cached tokens are the longest prefix of its blocks in the lane's cache. The precise
 * policy reads the lane caches themselves (kv-events without delay, evictions included);
 * cache_aware learns from its own choices. The report also gives the hit rate one pooled cache of
 * all lanes' capacity would reach, the ceiling any router can approach.
 */
public final class RoutingSimulation {
  private RoutingSimulation() {}

  /**
   * @param lanes lane count
   * @param cacheBlocksPerLane KV blocks each lane's cache holds
   * @param prefillTokensPerSecond prompt tokens a lane prefills per second
   * @param decodeMsPerToken milliseconds per generated token
   * @param cacheAware parameters of cache_aware and precise
   */
  public record Settings(int lanes, int cacheBlocksPerLane, double prefillTokensPerSecond, double decodeMsPerToken,
      CacheAwareParams cacheAware) {}

  /** One trace request: arrival time, its routing view (sizes and block hashes) and its output length. */
  public record Request(long arrivalMs, RoutingRequest routing, int outputTokens) {

    /**
     * A request from a trace that gives prefix block ids instead of hashes (e.g. Mooncake's
     * {@code hash_ids}: equal ids = equal prefix up to that block). Ids become 16-byte hashes by a
     * fixed mix, so that lane arithmetic on them is uniform.
     */
    public static Request fromBlockIds(String id, long arrivalMs, int promptTokens, int outputTokens, int blockSize, long[] blockIds) {
      List<byte[]> hashes = new ArrayList<>(blockIds.length);
      for (long blockId : blockIds) hashes.add(mix(blockId));
      byte[] family = hashes.isEmpty() ? mix(id.hashCode() ^ 0x5EED_F00DL) : hashes.get(0);
      return new Request(arrivalMs, new RoutingRequest(id, promptTokens, blockSize, hashes, family), outputTokens);
    }
  }

  /**
   * What a policy achieved on the trace.
   *
   * @param hitRate cached prompt tokens / prompt tokens
   * @param pooledHitRate the hit rate of one LRU cache with every lane's capacity (the ceiling)
   * @param busyMaxOverMean busiest lane's service time / mean lane service time (1 = perfectly even)
   * @param meanLatencyMs mean of queueing + service time
   * @param p99LatencyMs 99th percentile of queueing + service time
   * @param outcomes decisions by outcome label
   */
  public record Report(String policy, int requests, long promptTokens, long cachedTokens, double hitRate, double pooledHitRate,
      int[] requestsPerLane, double busyMaxOverMean, double meanLatencyMs, double p99LatencyMs, Map<String, Long> outcomes) {

    public String line() {
      return String.format("%-13s hit %5.1f%% (pooled %5.1f%%)  busy max/mean %.2f  latency mean %8.0f ms p99 %8.0f ms  %s",
          policy, 100 * hitRate, 100 * pooledHitRate, busyMaxOverMean, meanLatencyMs, p99LatencyMs, outcomes);
    }
  }

  public static Report run(String policyName, List<Request> trace, Settings settings, long seed) {
    int lanes = settings.lanes();
    List<LruBlocks> caches = new ArrayList<>();
    for (int i = 0; i < lanes; i++) caches.add(new LruBlocks(settings.cacheBlocksPerLane()));
    LruBlocks pooled = new LruBlocks((long) settings.cacheBlocksPerLane() * lanes);
    // The router is told its lanes' speed (in the real router these are configured).
    CacheAwareParams params = settings.cacheAware().withLaneSpeed(settings.prefillTokensPerSecond(), settings.decodeMsPerToken() / 1000);
    RoutingPolicy policy = RoutingPolicies.create(policyName, new RoutingPolicies.Inputs(new Random(seed),
        new InMemoryPrefixIndex(Math.max(1, settings.cacheBlocksPerLane()) * lanes), new LaneCachesIndex(caches),
        params, 1));

    InFlightWork inFlight = new InFlightWork(lanes);
    List<ArrayDeque<Running>> queues = new ArrayList<>();
    for (int i = 0; i < lanes; i++) queues.add(new ArrayDeque<>());
    double[] busyUntil = new double[lanes];
    double[] busyTotal = new double[lanes];
    int[] perLane = new int[lanes];
    double[] latencies = new double[trace.size()];
    Map<String, Long> outcomes = new TreeMap<>();
    long promptTokens = 0;
    long cachedTokens = 0;
    long pooledCached = 0;
    double decodeSeconds = settings.decodeMsPerToken() / 1000;

    for (int n = 0; n < trace.size(); n++) {
      Request request = trace.get(n);
      double now = request.arrivalMs();
      for (ArrayDeque<Running> queue : queues) showResults(queue, now, inFlight, settings.decodeMsPerToken());
      double[] work = inFlight.secondsPerLane(settings.prefillTokensPerSecond(), decodeSeconds);
      LaneView view = LaneView.allEligible(work)
          .withPlacedWork(inFlight.placedSecondsPerLane(settings.prefillTokensPerSecond(), decodeSeconds))
          .withSecondsPerRequest(inFlight.size() == 0 ? 0 : Arrays.stream(work).sum() / inFlight.size());
      RoutingDecision decision = policy.decide(request.routing(), view).orElseThrow();
      int lane = decision.lane();
      outcomes.merge(decision.outcome().label(), 1L, Long::sum);

      RoutingRequest r = request.routing();
      int hitBlocks = caches.get(lane).touchPrefix(r.blockHashes());
      int cached = Math.min(r.promptTokens(), hitBlocks * r.blockSize());
      pooledCached += Math.min(r.promptTokens(), pooled.touchPrefix(r.blockHashes()) * r.blockSize());
      promptTokens += r.promptTokens();
      cachedTokens += cached;

      double prefillMs = (r.promptTokens() - cached) * 1000.0 / settings.prefillTokensPerSecond();
      double serviceMs = prefillMs + request.outputTokens() * settings.decodeMsPerToken();
      double start = Math.max(now, busyUntil[lane]);
      busyUntil[lane] = start + serviceMs;
      busyTotal[lane] += serviceMs;
      inFlight.placed(new InFlightWork.Placement(r.requestId(), lane, r.promptTokens(), Math.max(0, r.uncachedTokens(decision.matchedBlocks())),
          request.outputTokens(), (long) now, null, (long) now, null));
      queues.get(lane).addLast(new Running(r.requestId(), start + prefillMs, busyUntil[lane], request.outputTokens()));
      latencies[n] = busyUntil[lane] - now;
      perLane[lane]++;
    }

    double meanBusy = Arrays.stream(busyTotal).average().orElse(0);
    double maxBusy = Arrays.stream(busyTotal).max().orElse(0);
    double[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new Report(policy.name(), trace.size(), promptTokens, cachedTokens,
        promptTokens == 0 ? 0 : (double) cachedTokens / promptTokens,
        promptTokens == 0 ? 0 : (double) pooledCached / promptTokens,
        perLane, meanBusy == 0 ? 1 : maxBusy / meanBusy, Arrays.stream(latencies).average().orElse(0),
        sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)], outcomes);
  }

  /** A request on a lane's FIFO: when its first token and its end come. */
  private record Running(String requestId, double firstTokenAtMs, double finishAtMs, int outputTokens) {}

  /** What the results topic would have told the router by {@code now}: finished requests and the head's progress. */
  private static void showResults(ArrayDeque<Running> queue, double now, InFlightWork inFlight, double decodeMs) {
    while (!queue.isEmpty() && queue.peekFirst().finishAtMs() <= now) inFlight.finished(queue.pollFirst().requestId());
    Running head = queue.peekFirst();
    if (head != null && head.firstTokenAtMs() <= now) {
      int generated = 1 + (decodeMs <= 0 ? head.outputTokens() : (int) ((now - head.firstTokenAtMs()) / decodeMs));
      inFlight.progress(head.requestId(), Math.min(head.outputTokens(), generated));
    }
  }

  /** 16 bytes from a block id (SplitMix64 twice), stable everywhere. */
  static byte[] mix(long id) {
    ByteBuffer b = ByteBuffer.allocate(BlockHasher.HASH_BYTES);
    long z = id;
    for (int i = 0; i < 2; i++) {
      z += 0x9E3779B97F4A7C15L;
      long x = z;
      x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
      x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
      b.putLong(x ^ (x >>> 31));
    }
    return b.array();
  }

  /** One lane's LRU block cache. */
  private static final class LruBlocks {
    private final LinkedHashMap<ByteBuffer, Boolean> blocks;

    LruBlocks(long capacity) {
      blocks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
          return size() > capacity;
        }
      };
    }

    boolean contains(byte[] hash) {
      return blocks.containsKey(ByteBuffer.wrap(hash));
    }

    /** Blocks of the longest cached prefix; then every block of the prompt is stored (most recent). */
    int touchPrefix(List<byte[]> hashes) {
      int hit = 0;
      while (hit < hashes.size() && blocks.containsKey(ByteBuffer.wrap(hashes.get(hit)))) hit++;
      for (byte[] h : hashes) blocks.put(ByteBuffer.wrap(h), Boolean.TRUE);
      return hit;
    }
  }

  /** The precise policy's index in simulation: exactly what the lane caches hold now. */
  private record LaneCachesIndex(List<LruBlocks> caches) implements PrefixIndex {
    @Override
    public BitSet lanesOf(byte[] blockHash) {
      BitSet lanes = new BitSet();
      for (int i = 0; i < caches.size(); i++) if (caches.get(i).contains(blockHash)) lanes.set(i);
      return lanes;
    }

    @Override
    public void add(byte[] blockHash, int lane) {}

    @Override
    public void remove(byte[] blockHash, int lane) {}
  }
}
