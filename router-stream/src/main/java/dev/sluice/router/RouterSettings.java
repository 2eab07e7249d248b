package dev.sluice.router;

import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.topics.TopicLayout;
import dev.sluice.router.policy.RoutingPolicies;
import java.nio.file.Path;
import java.util.List;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * Everything the router needs besides Kafka's address and the topic prefix. Start from
 * {@link #defaults}; {@code withLanes(8)} and the other generated with-methods (one per component,
 * from {@link RouterSettingsBuilder.With}) copy it with a value changed, validated like any other.
 *
 * @param servedModels names of the served models; the first is used when a request names none
 * @param lanes lane count L = partitions of every stage topic
 * @param maxPromptTokens longer prompts are refused (too_large)
 * @param maxTokensLimit largest accepted maxTokens (invalid_request above it)
 * @param maxSequenceTokens prompt + maxTokens must fit (the model's context); 0 = unchecked
 * @param defaultTimeoutMs deadline given to requests without one (0 = none)
 * @param prefillChunkTokens most prompt positions per PREFILL_CHUNK record
 * @param blockSize tokens per KV block (block hashes)
 * @param policy routing policy name (see {@link RoutingPolicies#NAMES})
 * @param cacheAware parameters of cache_aware and precise
 * @param prefixHashBlocks blocks hashed by prefix_hash
 * @param randomSeed seed of random and power_of_two; null = seeded from the clock
 * @param workerStaleMs a worker whose heartbeat is older than this is not routed to
 * @param noWorkerWaitMs how long a request waits for an eligible lane before ERROR no_workers
 * @param pendingCheckMs how often waiting requests are retried
 * @param recentLoadWindowMs not read since issue 13 (the in-flight table, InFlightWork, replaced the recent-routes
 *     window as the load this router adds); kept so the positional callers stay valid until the record is next reshaped
 * @param indexTtlMs cache_aware's index forgets blocks no request used for this long
 * @param dataDir directory for Kafka Streams state (the index is also changelogged in Kafka)
 * @param maxPromptBytes prompt text longer than this many UTF-8 bytes is refused (too_large) before it is
 *     tokenized, which bounds the tokenizer's time per record; 0 = {@link #BYTES_PER_TOKEN_BOUND} × maxPromptTokens
 * @param routedIdsTtlMs a request id routed (or ended) within this long is never routed again: replays
 *     after a router crash are dropped instead of starting a second generation
 * @param instanceId this router's stable name across restarts (Kafka static membership,
 *     {@code group.instance.id}): a restarted router with the same id gets its tasks back at once;
 *     null = dynamic membership (a replacement waits for the dead member's session timeout)
 */
@RecordBuilder
public record RouterSettings(
    List<String> servedModels,
    int lanes,
    int maxPromptTokens,
    int maxTokensLimit,
    int maxSequenceTokens,
    long defaultTimeoutMs,
    int prefillChunkTokens,
    int blockSize,
    String policy,
    CacheAwareParams cacheAware,
    int prefixHashBlocks,
    Long randomSeed,
    long workerStaleMs,
    long noWorkerWaitMs,
    long pendingCheckMs,
    long recentLoadWindowMs,
    long indexTtlMs,
    Path dataDir,
    int maxPromptBytes,
    long routedIdsTtlMs,
    String instanceId) implements RouterSettingsBuilder.With {

  public static final int DEFAULT_LANES = 32;
  public static final long DEFAULT_INDEX_TTL_MS = 60 * 60 * 1000L;
  public static final long DEFAULT_ROUTED_IDS_TTL_MS = 10 * 60 * 1000L;
  /**
   * Bytes of text per token that no prompt within the token limit exceeds in practice (English runs at
   * ~4 bytes per token, CJK at ~3 per character): the default byte limit is this × maxPromptTokens.
   */
  public static final int BYTES_PER_TOKEN_BOUND = 16;

  public RouterSettings {
    servedModels = List.copyOf(servedModels);
    if (servedModels.isEmpty()) throw new IllegalArgumentException("at least one served model name is needed");
    require(lanes >= 1, "lanes must be >= 1: " + lanes);
    require(maxPromptTokens >= 1, "max prompt tokens must be >= 1: " + maxPromptTokens);
    require(maxTokensLimit >= 1, "max tokens limit must be >= 1: " + maxTokensLimit);
    require(maxSequenceTokens >= 0, "max sequence tokens must be >= 0: " + maxSequenceTokens);
    require(defaultTimeoutMs >= 0, "default timeout must be >= 0: " + defaultTimeoutMs);
    require(prefillChunkTokens >= 1, "prefill chunk tokens must be >= 1: " + prefillChunkTokens);
    require(blockSize >= 1, "block size must be >= 1: " + blockSize);
    require(RoutingPolicies.NAMES.contains(policy), "unknown routing policy '" + policy + "'; known: " + RoutingPolicies.NAMES);
    require(prefixHashBlocks >= 1, "prefix hash blocks must be >= 1: " + prefixHashBlocks);
    require(maxPromptBytes >= 0, "max prompt bytes must be >= 0: " + maxPromptBytes);
    require(routedIdsTtlMs >= 1_000, "routed ids TTL must be >= 1000 ms: " + routedIdsTtlMs);
    require(instanceId == null || !instanceId.isBlank(), "the instance id must not be blank");
    require(indexTtlMs >= 1_000, "index TTL must be >= 1000 ms: " + indexTtlMs);
    require(workerStaleMs > 0 && noWorkerWaitMs >= 0 && pendingCheckMs > 0 && recentLoadWindowMs >= 0,
        "worker stale, no-worker wait, pending check and recent load window times must be positive");
  }

  /**
   * The router's defaults, the one place they are written: 32 lanes, cache_aware, 64-token prefill
   * chunks, 16-token blocks, for one served model.
   */
  public static RouterSettings defaults(String modelName) {
    return RouterSettingsBuilder.builder()
        .servedModels(List.of(modelName))
        .lanes(DEFAULT_LANES)
        .maxPromptTokens(2048)
        .maxTokensLimit(1024)
        .maxSequenceTokens(0)
        .defaultTimeoutMs(0)
        .prefillChunkTokens(64)
        .blockSize(TopicLayout.DEFAULT_BLOCK_SIZE)
        .policy(RoutingPolicies.DEFAULT)
        .cacheAware(CacheAwareParams.DEFAULTS)
        .prefixHashBlocks(1)
        .randomSeed(null)
        .workerStaleMs(5_000)
        .noWorkerWaitMs(10_000)
        .pendingCheckMs(200)
        .recentLoadWindowMs(1_000)
        .indexTtlMs(DEFAULT_INDEX_TTL_MS)
        .dataDir(Path.of("data", "router"))
        .maxPromptBytes(0)
        .routedIdsTtlMs(DEFAULT_ROUTED_IDS_TTL_MS)
        .instanceId(null)
        .build();
  }

  /** The byte limit on prompt text: maxPromptBytes, or the bound implied by maxPromptTokens when it is 0. */
  public long promptByteLimit() {
    return maxPromptBytes > 0 ? maxPromptBytes : (long) BYTES_PER_TOKEN_BOUND * maxPromptTokens;
  }

  public String defaultModel() {
    return servedModels.get(0);
  }

  public RouterSettings withLimits(int maxPrompt, int maxTokens, int maxSequence) {
    return with(b -> b.maxPromptTokens(maxPrompt).maxTokensLimit(maxTokens).maxSequenceTokens(maxSequence));
  }

  public RouterSettings withTimes(long workerStale, long noWorkerWait, long pendingCheck, long recentLoadWindow) {
    return with(b -> b.workerStaleMs(workerStale).noWorkerWaitMs(noWorkerWait).pendingCheckMs(pendingCheck)
        .recentLoadWindowMs(recentLoadWindow));
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
