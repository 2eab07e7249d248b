package dev.sluice.topics;

import dev.sluice.schemas.topic.SluiceTopics;

/**
 * The consumer groups and transactional ids of Sluice's roles, named from the prefix like the topics
 * (docs/topics-and-records.md): the one place they are spelled, for the roles that join them and the
 * tools that read their offsets (lag gauges, the dashboard).
 */
public record GroupIds(SluiceTopics topics) {

  public GroupIds(String namespace) {
    this(new SluiceTopics(namespace));
  }

  /** {@code PREFIX.stage-K}: the group of stage K's workers, named like the topic it consumes. */
  public String stage(int k) {
    return topics.stage(k).name();
  }

  /** {@code PREFIX.router}: the Kafka Streams application id (and consumer group) of every router. */
  public String router() {
    return topics.namespace() + ".router";
  }

  /** {@code PREFIX.ingress}: the results group whose members split the reply partitions. */
  public String ingress() {
    return topics.namespace() + ".ingress";
  }

  /**
   * {@code PREFIX.stage-K.WORKER_ID}: an exactly-once worker's transactional id, the same across its
   * restarts, so a restarted worker fences its crashed self and aborts its open transaction.
   */
  public String transactionalId(int stage, String workerId) {
    return stage(stage) + "." + workerId;
  }
}
