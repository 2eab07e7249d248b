package dev.sluice.router.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The request ids a router task has already passed on, with the time it did, kept for a TTL. After a
 * router crash (kill -9) Kafka Streams replays the records it processed but had not committed; with
 * this memory a replayed request is dropped instead of being routed, generated and answered a second
 * time. The store is changelogged, and the id is written before the request's outputs, so a replacement
 * router restores it before it replays anything.
 */
final class RequestIdMemory {
  private final KeyValueStore<String, Long> store;
  private final long ttlMs;

  RequestIdMemory(KeyValueStore<String, Long> store, long ttlMs) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  /** The memory in a processor's store {@code storeName}, forgetting expired ids every tenth of the TTL (1 s at least). */
  static RequestIdMemory of(ProcessorContext<?, ?> context, String storeName, long ttlMs) {
    RequestIdMemory memory = new RequestIdMemory(context.getStateStore(storeName), ttlMs);
    context.schedule(Duration.ofMillis(Math.max(1_000, ttlMs / 10)), PunctuationType.WALL_CLOCK_TIME, memory::forgetExpired);
    return memory;
  }

  /**
   * An in-memory store of request id → time. Its changelog is not compacted but deleted after the TTL
   * (rolled in quarters of it), so a replacement restores at most about one TTL of ids, never the history.
   */
  static StoreBuilder<KeyValueStore<String, Long>> storeBuilder(String name, long ttlMs) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.Long())
        .withLoggingEnabled(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(ttlMs),
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Math.max(1_000, ttlMs / 4))));
  }

  /** True when {@code requestId} was remembered within the TTL before {@code nowMs}. */
  boolean contains(String requestId, long nowMs) {
    Long at = store.get(requestId);
    return at != null && nowMs - at < ttlMs;
  }

  void remember(String requestId, long nowMs) {
    store.put(requestId, nowMs);
  }

  /** Drops ids remembered longer than the TTL ago (run by a punctuator). */
  void forgetExpired(long nowMs) {
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = store.all()) {
      it.forEachRemaining(kv -> {
        if (kv.value == null || nowMs - kv.value >= ttlMs) expired.add(kv.key);
      });
    }
    expired.forEach(store::delete);
  }
}
