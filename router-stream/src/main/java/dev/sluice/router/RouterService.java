package dev.sluice.router;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.topology.InFlightResultsReader;
import dev.sluice.router.topology.RouterTopology;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.topics.cluster.BlockSizeAgreement;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.topics.cluster.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: the {@link RouterTopology} in a {@link KafkaStreams} instance. Start as many as
 * you like with the same prefix; they share the work (one Streams application, {@code <prefix>.router}).
 *
 * <pre>{@code
 * try (RouterService router = RouterService.start(RouterSettings.defaults("stories260K"), "127.0.0.1:9092", "sluice", modelDir)) {
 *   router.awaitReady(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class RouterService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RouterService.class);

  private final KafkaStreams streams;
  private final ClusterView cluster;
  private final TopicReader<ResultEvent> results;
  private final AutoCloseable tokenizerToClose;

  private RouterService(KafkaStreams streams, ClusterView cluster, TopicReader<ResultEvent> results,
      AutoCloseable tokenizerToClose) {
    this.streams = streams;
    this.cluster = cluster;
    this.results = results;
    this.tokenizerToClose = tokenizerToClose;
  }

  /** Starts a router that tokenizes with the model directory's tokenizer; metrics in the default registry. */
  public static RouterService start(RouterSettings settings, String bootstrapServers, String namespace, Path modelDir) {
    return startWithModel(settings, bootstrapServers, namespace, modelDir, Map.of(), RouterMetrics.defaultRegistry());
  }

  /**
   * Starts a router that tokenizes with the model directory's tokenizer (closed with the router).
   * When the settings leave maxSequenceTokens at 0, the model's context length (config.json) is used.
   */
  public static RouterService startWithModel(RouterSettings settings, String bootstrapServers, String namespace, Path modelDir,
      Map<String, Object> clientOverrides, RouterMetrics metrics) {
    if (settings.maxSequenceTokens() == 0) {
      settings = settings.withLimits(settings.maxPromptTokens(), settings.maxTokensLimit(), ModelConfig.read(modelDir).maxPositions());
    }
    BackgroundTokenizer tokenizer = new BackgroundTokenizer(() -> Tokenizers.load(modelDir));
    try {
      return start(settings, bootstrapServers, namespace, tokenizer, clientOverrides, metrics, tokenizer);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /**
   * Starts a router.
   *
   * @param tokenizer prompt text → token ids; null accepts only requests with promptTokens
   * @param clientOverrides Kafka client settings (security, timeouts…) applied over the router's
   * @param metrics where the router's metrics go
   * @throws IllegalStateException when a topic is missing or stage-0 has another lane count
   */
  public static RouterService start(RouterSettings settings, String bootstrapServers, String namespace, PromptTokenizer tokenizer,
      Map<String, Object> clientOverrides, RouterMetrics metrics) {
    return start(settings, bootstrapServers, namespace, tokenizer, clientOverrides, metrics, null);
  }

  private static RouterService start(RouterSettings settings, String bootstrapServers, String namespace, PromptTokenizer tokenizer,
      Map<String, Object> clientOverrides, RouterMetrics metrics, AutoCloseable tokenizerToClose) {
    SluiceTopics topics = new SluiceTopics(namespace);
    if (metrics != null) metrics.startAtZero(settings.policy(), settings.lanes());
    Properties props = RouterTopology.properties(settings, bootstrapServers, topics, metrics);
    props.putAll(clientOverrides);
    Map<String, Object> client = new java.util.HashMap<>(clientOverrides);
    client.put("bootstrap.servers", bootstrapServers);
    int stages = checkTopics(topics, settings, props);
    Duration staleAfter = Duration.ofMillis(settings.workerStaleMs());
    ClusterView cluster = ClusterView.read(client, RouterTopology.applicationId(topics) + "-workers", topics, staleAfter,
        staleAfter.compareTo(ClusterView.DEFAULT_FORGET_AFTER) > 0 ? staleAfter : ClusterView.DEFAULT_FORGET_AFTER);
    // The in-flight table, ended by the results that arrive from now on (read beside the topology).
    InFlightWork inFlight = RouterTopology.inFlightWork(settings);
    TopicReader<ResultEvent> results = new TopicReader<>(client, RouterTopology.applicationId(topics) + "-results",
        topics.results().name(), TopicReader.From.END, topics.results().valueSerde().deserializer(), "no results yet",
        new InFlightResultsReader(inFlight, metrics, settings.policy(), System::currentTimeMillis)).start();
    KafkaStreams streams;
    try {
      streams = new KafkaStreams(RouterTopology.build(topics, settings, tokenizer, metrics, inFlight, cluster, stages), props);
    } catch (RuntimeException e) {
      results.close();
      cluster.close();
      throw e;
    }
    // One failing stream thread is replaced rather than leaving the router silently dead.
    streams.setUncaughtExceptionHandler(e -> {
      log.error("router stream thread failed; replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    // The block size check runs while Streams joins the group and restores its stores: a replacement
    // router has seconds, not minutes, to route again. A failed check stops the router it started.
    streams.start();
    try {
      BlockSizeAgreement.require("router setting", settings.blockSize(), "", cluster);
    } catch (RuntimeException e) {
      streams.close(Duration.ofSeconds(10));
      results.close();
      cluster.close();
      throw e;
    }
    log.info("router started: prefix {}, policy {}, {} stages, {} lanes, served {}", namespace, settings.policy(), stages,
        settings.lanes(), settings.servedModels());
    return new RouterService(streams, cluster, results, tokenizerToClose);
  }

  /**
   * True once the router consumes and routes (Streams state RUNNING, the workers' heartbeats read, the
   * results tail in place).
   */
  public boolean isReady() {
    return streams.state() == KafkaStreams.State.RUNNING && cluster.isReady() && results.isCaughtUp();
  }

  /** Waits until {@link #isReady()}; false when the timeout passed first. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!isReady()) {
      if (System.nanoTime() > end || !streams.state().isRunningOrRebalancing() && streams.state() != KafkaStreams.State.CREATED) {
        return isReady();
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** Ids of the Streams tasks this instance runs now ("0_2" = sub-topology 0 (admission), partition 2). */
  public Set<String> activeTasks() {
    Set<String> tasks = new java.util.TreeSet<>();
    streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> tasks.add(task.taskId().toString())));
    return tasks;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    // Leave the group so the remaining or restarted routers take the tasks over at once instead of
    // after the session timeout.
    streams.close(CloseOptions.timeout(Duration.ofSeconds(10))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    results.close();
    cluster.close();
    if (tokenizerToClose != null) {
      try {
        tokenizerToClose.close();
      } catch (Exception e) {
        log.warn("could not close the tokenizer", e);
      }
    }
  }

  /**
   * Fails with {@link TopicAdmin#verify}'s problems when the topics are missing or do not fit the
   * router (its lane count, its producer's default record size); returns the layout's stage count.
   */
  private static int checkTopics(SluiceTopics topics, RouterSettings settings, Properties props) {
    Properties adminProps = new Properties();
    props.forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k.toString())) adminProps.put(k, v);
    });
    Object bootstrapServers = props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    try (Admin admin = Admin.create(adminProps); TopicAdmin topicAdmin = new TopicAdmin(admin)) {
      int stages = TopicLayout.stagesAmong(admin.listTopics().names().get(30, TimeUnit.SECONDS), topics);
      TopicLayout layout = TopicLayout.defaults().withNamespace(topics.namespace()).withStages(Math.max(1, stages))
          .withLanes(settings.lanes());
      List<String> problems = topicAdmin.verify(layout);
      if (!problems.isEmpty()) {
        throw new IllegalStateException("the router cannot run on the topics at " + bootstrapServers + ": "
            + String.join("; ", problems) + " (sluice topics create --prefix " + topics.namespace() + ")");
      }
      return stages;
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " to check the router's topics: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the router's topics", e);
    }
  }
}
