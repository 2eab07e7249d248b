package dev.sluice.ingress.workers;

import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.GroupIds;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.topics.cluster.KnownWorker;
import io.prometheus.metrics.core.metrics.Gauge;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster gauges the alerts need and no single worker can export: how many workers each stage has
 * by health (healthy, stale, failed, starting, draining: as {@code GET /workers} says, from the cluster
 * view the ingress already keeps; a stale one is reported until the view forgets it), how many records of each stage
 * topic its group has not committed yet (the lag KEDA scales on), and how many records the DLQ holds.
 * A stage with no worker at all still shows (0 healthy workers, its lag growing), because stages are
 * taken from the stage topics that exist, not only from heartbeats.
 *
 * <p>Offsets are read with the AdminClient every {@link #PERIOD}; a failed read keeps the last values.
 * Several ingress instances export the same values: aggregate with {@code max by (stage)}.
 */
public final class ClusterMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterMetrics.class);
  public static final Duration PERIOD = Duration.ofSeconds(5);
  private static final long TIMEOUT_S = 10;
  /** Every health value, each exported per stage (at 0 when no worker has it). */
  public static final List<String> HEALTH = List.of("healthy", "stale", "failed", "starting", "draining");

  private final String namespace;
  private final GroupIds groups;
  private final Pattern stageTopic;
  private final String dlqTopic;
  private final ClusterView view;
  private final Gauge workers;
  private final Gauge lag;
  private final Gauge dlq;
  private final Admin admin;
  private final ScheduledExecutorService timer;
  private final Set<Integer> knownStages = new TreeSet<>();
  private volatile boolean warned;
  private volatile Set<Integer> stageTopics;
  private volatile Map<Integer, Long> stageLag = Map.of();

  public ClusterMetrics(String bootstrapServers, String namespace, Map<String, Object> kafkaOverrides,
      ClusterView view, Gauge workers, Gauge lag, Gauge dlq) {
    this.namespace = namespace;
    this.groups = new GroupIds(namespace);
    this.stageTopic = Pattern.compile(Pattern.quote(namespace) + "\\.stage-(\\d+)");
    this.dlqTopic = new SluiceTopics(namespace).dlq().name();
    this.view = view;
    this.workers = workers;
    this.lag = lag;
    this.dlq = dlq;
    Map<String, Object> props = new HashMap<>(kafkaOverrides);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, namespace + "-ingress-cluster-metrics");
    this.admin = Admin.create(props);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-cluster-metrics");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::refresh, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One read of the cluster; public for tests. */
  public synchronized void refresh() {
    try {
      Map<Integer, String> stages = new TreeMap<>();
      boolean hasDlq = false;
      for (String name : admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS)) {
        Matcher m = stageTopic.matcher(name);
        if (m.matches()) stages.put(Integer.parseInt(m.group(1)), name);
        if (name.equals(dlqTopic)) hasDlq = true;
      }
      knownStages.addAll(stages.keySet());
      stageTopics = Set.copyOf(stages.keySet());
      updateWorkers();
      Map<Integer, Long> lags = new TreeMap<>();
      for (Map.Entry<Integer, String> stage : stages.entrySet()) {
        long l = lag(stage.getValue(), groups.stage(stage.getKey()));
        lags.put(stage.getKey(), l);
        lag.labelValues(String.valueOf(stage.getKey())).set(l);
      }
      stageLag = Map.copyOf(lags);
      if (hasDlq) {
        dlq.set(endOffsets(dlqTopic).values().stream().mapToLong(Long::longValue).sum());
      } else {
        dlq.set(0);
      }
      warned = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      updateWorkers(); // heartbeats come from another client: still worth reporting
      if (!warned) {
        log.warn("cannot read cluster offsets for metrics (keeping the last values): {}", e.toString());
        warned = true;
      }
    }
  }

  /** The stages whose topics exist, as of the last read; null before the first one succeeded. */
  public Set<Integer> stages() {
    return stageTopics;
  }

  /** Records of each stage topic its group has not committed, as of the last read. */
  public Map<Integer, Long> stageLag() {
    return stageLag;
  }

  private void updateWorkers() {
    Map<Integer, Map<String, Integer>> counts = new TreeMap<>();
    for (int stage : knownStages) counts.put(stage, new TreeMap<>());
    for (KnownWorker w : view.snapshot().workers()) {
      int stage = w.status().getStage();
      knownStages.add(stage);
      counts.computeIfAbsent(stage, s -> new TreeMap<>()).merge(w.health(), 1, Integer::sum);
    }
    counts.forEach((stage, byHealth) -> {
      for (String health : HEALTH) {
        workers.labelValues(String.valueOf(stage), health).set(byHealth.getOrDefault(health, 0));
      }
    });
  }

  /**
   * Records not committed yet by the group, summed over the topic's partitions. With no commit the
   * group starts at the earliest offset (workers reset to earliest), so all retained records wait.
   */
  private long lag(String topic, String group) throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, Long> end = endOffsets(topic);
    Map<TopicPartition, Long> start = offsets(end.keySet(), OffsetSpec.earliest());
    Map<TopicPartition, OffsetAndMetadata> committed;
    try {
      committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) throw e;
      committed = Map.of();
    }
    long total = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      long from = c != null ? c.offset() : start.getOrDefault(e.getKey(), 0L);
      total += Math.max(0, e.getValue() - from);
    }
    return total;
  }

  private Map<TopicPartition, Long> endOffsets(String topic) throws InterruptedException, ExecutionException, TimeoutException {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).get(topic);
    Set<TopicPartition> partitions = new java.util.HashSet<>();
    d.partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    return offsets(partitions, OffsetSpec.latest());
  }

  private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResultInfo> infos = admin.listOffsets(request).all().get(TIMEOUT_S, TimeUnit.SECONDS);
    Map<TopicPartition, Long> out = new HashMap<>();
    infos.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(2));
  }
}
