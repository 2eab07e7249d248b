package dev.sluice.worker;

import dev.sluice.model.LayerRange;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one stage worker needs. Build with {@link #of} and the {@code with...} methods (one per
 * component, generated in {@link WorkerSettingsBuilder.With}); the compact constructor validates every
 * value and names the key.
 *
 * @param stage K: this worker consumes {@code PREFIX.stage-K}
 * @param layers the layers it runs ("A-B", inclusive)
 * @param modelDir Hugging Face model directory (or split root / stage directory)
 * @param modelId served model name, seeds the block hashes; the model directory's name by default
 * @param bootstrapServers Kafka bootstrap servers
 * @param namespace topic prefix
 * @param workerId unique id: heartbeats key, {@code group.instance.id} (static membership)
 * @param dataDir where the KV block cache file lives
 * @param maxBatchSize records run in one batched forward
 * @param batchingWindowMs how long to wait for more records once one is waiting
 * @param maxQueueSize records waiting before the worker pauses its lanes
 * @param kvCacheMb block-cache budget; 0 disables the block cache
 * @param hotKvMb budget of the per-sequence hot KV tier; 0 = derived: max(64, kv_cache_mb / 2)
 * @param blockSize tokens per KV block; must equal the router's block_size (checked at start)
 * @param threads PyTorch intra-op threads (0 = engine default)
 * @param guarantee at-least-once (default) or exactly-once between stages
 * @param idleTimeout hot KV of a sequence untouched this long is released
 * @param maxMessageBytes producer max.request.size, matching the topics' max.message.bytes
 * @param kafka extra Kafka client properties (SASL/TLS...), passed through to every client
 */
@RecordBuilder
public record WorkerSettings(
    int stage,
    LayerRange layers,
    Path modelDir,
    String modelId,
    String bootstrapServers,
    String namespace,
    String workerId,
    Path dataDir,
    int maxBatchSize,
    int batchingWindowMs,
    int maxQueueSize,
    int kvCacheMb,
    int hotKvMb,
    int blockSize,
    int threads,
    Guarantee guarantee,
    Duration idleTimeout,
    int maxMessageBytes,
    Map<String, Object> kafka) implements WorkerSettingsBuilder.With {

  public static final int DEFAULT_MAX_BATCH_SIZE = 16;
  public static final int DEFAULT_BATCHING_WINDOW_MS = 5;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 256;
  public static final int DEFAULT_KV_CACHE_MB = 512;
  /** The layout's: records as large as the topics accept. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = dev.sluice.topics.TopicLayout.DEFAULT_MAX_MESSAGE_BYTES;
  public static final int DEFAULT_BLOCK_SIZE = dev.sluice.topics.TopicLayout.DEFAULT_BLOCK_SIZE;

  public WorkerSettings {
    require(stage >= 0, "stage", "must be >= 0: " + stage);
    Objects.requireNonNull(layers, "layers");
    Objects.requireNonNull(modelDir, "model");
    require(bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrap_servers", "must be set");
    require(namespace != null && namespace.matches("[A-Za-z0-9._-]+"), "prefix", "must use letters, digits, '.', '_', '-': " + namespace);
    require(workerId != null && workerId.matches("[A-Za-z0-9._-]+"), "worker_id", "must use letters, digits, '.', '_', '-': " + workerId);
    Objects.requireNonNull(dataDir, "data_dir");
    require(maxBatchSize >= 1, "max_batch_size", "must be >= 1: " + maxBatchSize);
    require(batchingWindowMs >= 0, "batching_window_ms", "must be >= 0: " + batchingWindowMs);
    require(maxQueueSize >= maxBatchSize, "max_queue_size", "must be >= max_batch_size (" + maxBatchSize + "): " + maxQueueSize);
    require(kvCacheMb >= 0, "kv_cache_mb", "must be >= 0: " + kvCacheMb);
    require(hotKvMb >= 0, "hot_kv_mb", "must be >= 0: " + hotKvMb);
    require(blockSize >= 1 && blockSize <= 4096, "block_size", "must be 1..4096: " + blockSize);
    require(threads >= 0, "threads", "must be >= 0: " + threads);
    Objects.requireNonNull(guarantee, "guarantee");
    require(idleTimeout != null && !idleTimeout.isNegative() && !idleTimeout.isZero(), "idle_timeout", "must be positive");
    require(maxMessageBytes >= 1024, "max_message_bytes", "must be >= 1024: " + maxMessageBytes);
    if (modelId == null || modelId.isBlank()) {
      modelId = modelDir.toAbsolutePath().normalize().getFileName().toString();
    }
    kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
  }

  /** Bytes the hot KV tier may hold: hot_kv_mb, or when 0, max(64, kv_cache_mb / 2) MiB. */
  public long hotKvBytes() {
    long mb = hotKvMb > 0 ? hotKvMb : Math.max(64, kvCacheMb / 2);
    return mb * 1024L * 1024L;
  }

  /** Defaults for everything but the stage, its layers, the model and the broker. */
  public static WorkerSettings of(int stage, LayerRange layers, Path modelDir, String bootstrapServers, String namespace) {
    String id = "worker-" + stage + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
    return WorkerSettingsBuilder.builder()
        .stage(stage).layers(layers).modelDir(modelDir).modelId(null)
        .bootstrapServers(bootstrapServers).namespace(namespace).workerId(id)
        .dataDir(Path.of(System.getProperty("java.io.tmpdir"), "sluice-worker", id))
        .maxBatchSize(DEFAULT_MAX_BATCH_SIZE).batchingWindowMs(DEFAULT_BATCHING_WINDOW_MS).maxQueueSize(DEFAULT_MAX_QUEUE_SIZE)
        .kvCacheMb(DEFAULT_KV_CACHE_MB).hotKvMb(0).blockSize(DEFAULT_BLOCK_SIZE).threads(0)
        .guarantee(Guarantee.AT_LEAST_ONCE).idleTimeout(Duration.ofMinutes(2)).maxMessageBytes(DEFAULT_MAX_MESSAGE_BYTES)
        .kafka(Map.of())
        .build();
  }

  public WorkerSettings withBatching(int maxBatchSize, int batchingWindowMs, int maxQueueSize) {
    return with(b -> b.maxBatchSize(maxBatchSize).batchingWindowMs(batchingWindowMs).maxQueueSize(maxQueueSize));
  }

  private static void require(boolean ok, String key, String message) {
    if (!ok) {
      throw new IllegalArgumentException("worker setting '" + key + "' " + message);
    }
  }
}
