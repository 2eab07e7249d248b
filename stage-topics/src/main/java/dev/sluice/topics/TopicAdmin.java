package dev.sluice.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates, describes and verifies a {@link TopicLayout} on any Kafka cluster through the AdminClient.
 * Blocking calls; each is bounded by the client's {@code default.api.timeout.ms}.
 */
public final class TopicAdmin implements AutoCloseable {
  /** The configs that {@link #describe} reports and {@link #verify} checks. */
  static final List<String> KEY_CONFIGS = List.of(
      TopicConfig.MAX_MESSAGE_BYTES_CONFIG, TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.RETENTION_MS_CONFIG);

  private static final int AWAIT_LEADERS_SECONDS = 30;

  private final Admin admin;
  private final boolean ownsAdmin;

  /** Uses the given client; {@link #close()} leaves it open. */
  public TopicAdmin(Admin admin) {
    this(admin, false);
  }

  private TopicAdmin(Admin admin, boolean ownsAdmin) {
    this.admin = admin;
    this.ownsAdmin = ownsAdmin;
  }

  /** Connects with Kafka client properties (bootstrap.servers plus any SASL/TLS settings). */
  public static TopicAdmin connect(Properties clientProperties) {
    return new TopicAdmin(Admin.create(clientProperties), true);
  }

  public static TopicAdmin connect(String bootstrapServers) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    return connect(props);
  }

  /**
   * Creates the layout's missing topics and returns once they have partition leaders. Idempotent:
   * topics that already exist are fine when they match the layout; otherwise existing topics are left
   * unchanged and {@link TopicLayoutException} lists the problems.
   */
  public CreateResult create(TopicLayout layout) {
    Map<String, Future<Void>> pending = new LinkedHashMap<>();
    List<NewTopic> newTopics = layout.allTopics().stream().map(TopicSpec::toNewTopic).toList();
    Map<String, ? extends Future<Void>> results = admin.createTopics(newTopics).values();
    newTopics.forEach(topic -> pending.put(topic.name(), results.get(topic.name())));
    List<String> created = new ArrayList<>();
    List<String> existing = new ArrayList<>();
    for (var entry : pending.entrySet()) {
      try {
        entry.getValue().get();
        created.add(entry.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw unwrap(e, "create topic " + entry.getKey());
        existing.add(entry.getKey());
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
    }
    awaitLeaders(created);
    if (!existing.isEmpty()) {
      List<String> problems = verify(layout);
      if (!problems.isEmpty()) throw new TopicLayoutException(problems);
    }
    return new CreateResult(created, existing);
  }

  /** One report per topic of the layout, in {@link TopicLayout#allTopics()} order; missing topics included. */
  public List<TopicReport> describe(TopicLayout layout) {
    List<String> names = layout.allTopics().stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> descriptions = new LinkedHashMap<>();
    for (var entry : admin.describeTopics(names).topicNameValues().entrySet()) {
      try {
        descriptions.put(entry.getKey(), entry.getValue().get());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw unwrap(e, "describe topic " + entry.getKey());
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
    }
    Map<String, Map<String, String>> configs = keyConfigs(descriptions.keySet());
    List<TopicReport> reports = new ArrayList<>();
    for (String name : names) {
      TopicDescription d = descriptions.get(name);
      if (d == null) {
        reports.add(TopicReport.missing(name));
      } else {
        short replicas = (short) d.partitions().get(0).replicas().size();
        reports.add(new TopicReport(name, true, d.partitions().size(), replicas, configs.getOrDefault(name, Map.of())));
      }
    }
    return reports;
  }

  /**
   * Everything that keeps the cluster from serving this layout, one sentence per problem; empty when
   * all is well. Checks: every topic exists; all stage topics have the same partition (lane) count,
   * equal to the layout's; no topic accepts smaller records than the layout needs; workers is compacted.
   */
  public List<String> verify(TopicLayout layout) {
    Map<String, TopicReport> reports = describe(layout).stream()
        .collect(Collectors.toMap(TopicReport::name, r -> r, (a, b) -> a, LinkedHashMap::new));
    List<String> problems = new ArrayList<>();
    for (TopicReport r : reports.values()) {
      if (!r.exists()) {
        problems.add("topic " + r.name() + " is missing (run 'sluice topics create' with the same layout)");
      }
    }

    Map<String, Integer> stageLanes = new LinkedHashMap<>();
    for (String stage : layout.stageTopics()) {
      TopicReport r = reports.get(stage);
      if (r.exists()) stageLanes.put(stage, r.partitions());
    }
    if (stageLanes.values().stream().distinct().count() > 1) {
      problems.add("stage topics disagree on lane count: " + stageLanes.entrySet().stream()
          .map(e -> e.getKey() + " has " + e.getValue()).collect(Collectors.joining(", "))
          + " partitions; every stage topic must have the same number of lanes (layout: " + layout.lanes() + ")");
    } else if (!stageLanes.isEmpty() && stageLanes.values().iterator().next() != layout.lanes()) {
      problems.add("stage topics have " + stageLanes.values().iterator().next() + " lanes but the layout expects "
          + layout.lanes() + " (--lanes); topics " + String.join(", ", stageLanes.keySet()));
    }

    for (TopicReport r : reports.values()) {
      if (!r.exists()) continue;
      String max = r.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (max != null && Long.parseLong(max) < layout.maxMessageBytes()) {
        problems.add("topic " + r.name() + " accepts records up to max.message.bytes=" + max
            + " but the layout needs " + layout.maxMessageBytes());
      }
    }
    TopicReport workers = reports.get(layout.workers());
    if (workers.exists() && !String.valueOf(workers.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG)).contains("compact")) {
      problems.add("topic " + workers.name() + " must be compacted (cleanup.policy=compact), has cleanup.policy="
          + workers.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
    }
    return problems;
  }

  /**
   * Waits until every partition of the topics has a leader: the controller acknowledges a creation
   * before the brokers serve it, and callers produce (or verify) right after {@link #create}.
   */
  private void awaitLeaders(List<String> topicNames) {
    if (topicNames.isEmpty()) return;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_LEADERS_SECONDS);
    while (true) {
      try {
        boolean ready = admin.describeTopics(topicNames).allTopicNames().get().values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (ready) return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw unwrap(e, "describe new topics");
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
      if (System.nanoTime() > deadline) {
        throw new org.apache.kafka.common.errors.TimeoutException(
            "created topics " + topicNames + " have no partition leaders after " + AWAIT_LEADERS_SECONDS + " s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
    }
  }

  @Override
  public void close() {
    if (ownsAdmin) admin.close();
  }

  private Map<String, Map<String, String>> keyConfigs(Collection<String> topics) {
    if (topics.isEmpty()) return Map.of();
    List<ConfigResource> resources = topics.stream()
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> all;
    try {
      all = admin.describeConfigs(resources).all().get();
    } catch (ExecutionException e) {
      throw unwrap(e, "describe topic configs");
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    all.forEach((resource, config) -> {
      Map<String, String> keys = new LinkedHashMap<>();
      for (String key : KEY_CONFIGS) {
        var entry = config.get(key);
        if (entry != null && entry.value() != null) keys.put(key, entry.value());
      }
      out.put(resource.name(), keys);
    });
    return out;
  }

  /** Rethrows Kafka's own exception (TimeoutException, AuthorizationException…) so callers see the real cause. */
  private static RuntimeException unwrap(ExecutionException e, String action) {
    if (e.getCause() instanceof KafkaException kafka) return kafka;
    return new KafkaException("cannot " + action + ": " + e.getCause(), e.getCause());
  }

  private static RuntimeException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new KafkaException("interrupted while waiting for Kafka", e);
  }

  /** Which topics {@link #create} made and which were already there (and match). */
  public record CreateResult(List<String> created, List<String> existing) {
    public CreateResult {
      created = List.copyOf(created);
      existing = List.copyOf(existing);
    }
  }
}
