package dev.sluice.worker;

import dev.sluice.topics.GroupIds;
import dev.sluice.topics.TopicLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The worker's Kafka client settings, and what it learns from the cluster at start. */
final class WorkerKafka {
  private final WorkerSettings settings;

  WorkerKafka(WorkerSettings settings) {
    this.settings = settings;
    this.groups = new GroupIds(settings.namespace());
  }

  private final GroupIds groups;

  String groupId() {
    return groups.stage(settings.stage());
  }

  /**
   * The pipeline depth S: the layout's stage count as the topics that exist say (at least this stage + 1).
   * The scheduler cuts micro-batches for it.
   */
  int stageCount(int stage) {
    Map<String, Object> p = clientProps();
    try (Admin admin = Admin.create(p)) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      return Math.max(stage + 1, TopicLayout.stagesAmong(names, groups.topics()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the topics at " + settings.bootstrapServers() + ": " + e, e);
    }
  }

  /** Connection settings alone (bootstrap servers and the pass-through client properties). */
  Map<String, Object> clientProps() {
    Map<String, Object> p = new HashMap<>(settings.kafka());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    return p;
  }

  Map<String, Object> consumerProps() {
    Map<String, Object> p = new HashMap<>(settings.kafka());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId());
    p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.workerId()); // static membership: lanes come back
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.workerId());
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
    p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxQueueSize());
    p.putAll(TopicLayout.consumerSizeProps(settings.maxMessageBytes()));
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    return p;
  }

  Map<String, Object> producerProps() {
    Map<String, Object> p = new HashMap<>(settings.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.workerId() + "-out");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // A step's records wait in the producer until the whole step is handed over, then the outbox flushes:
    // they leave in one produce request and arrive together (linger only bounds a late flush).
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.putAll(TopicLayout.producerSizeProps(settings.maxMessageBytes()));
    if (settings.guarantee() == Guarantee.EXACTLY_ONCE) {
      // the same id across restarts: a restarted worker fences its crashed self and aborts its open transaction
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groups.transactionalId(settings.stage(), settings.workerId()));
      p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
    }
    return p;
  }
}
