package dev.sluice.topics.cluster;

import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicLayout;
import java.time.Duration;
import java.util.Optional;

/**
 * The router and every worker must hash and cache prompts in blocks of the same {@code block_size}
 * ({@link TopicLayout#DEFAULT_BLOCK_SIZE} unless configured otherwise): with another size a worker
 * would never find a block the router names, and caching would silently stop. Workers announce their
 * block size in heartbeats; a router or worker that starts with a different size than a live worker
 * fails at start, naming both values.
 */
public final class BlockSizeAgreement {
  /** How long a start waits for the workers topic to be read. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private BlockSizeAgreement() {}

  /**
   * Reads the workers topic once and fails when a live worker uses another block size.
   *
   * @param clientProps bootstrap servers and pass-through client settings
   */
  public static void require(String who, int blockSize, String selfId, SluiceTopics topics,
      java.util.Map<String, Object> clientProps) {
    try (ClusterView cluster = ClusterView.read(clientProps, "block-size-check-" + (selfId.isEmpty() ? "router" : selfId),
        topics, ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER)) {
      require(who, blockSize, selfId, cluster);
    }
  }

  /**
   * Waits until the view has read the workers topic, then fails when a live worker uses another block size.
   *
   * @param who "worker setting" or "router setting", for the message
   * @param selfId the caller's own worker id (its old heartbeat is not a disagreement), or ""
   * @throws IllegalArgumentException naming both block sizes
   */
  public static void require(String who, int blockSize, String selfId, ClusterView cluster) {
    try {
      if (!cluster.awaitReady(READ_TIMEOUT)) {
        throw new IllegalStateException("could not read the workers' heartbeats within " + READ_TIMEOUT.toSeconds()
            + " s to check the block size");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the workers' heartbeats", e);
    }
    Optional<String> other = cluster.snapshot().blockSizeDisagreement(blockSize, selfId);
    if (other.isPresent()) {
      throw new IllegalArgumentException(who + " 'block_size' is " + blockSize + " but " + other.get()
          + "; the router and every worker must use the same block_size");
    }
  }
}
