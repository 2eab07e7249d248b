package dev.sluice.router.topology;

import dev.sluice.router.PromptTokenizer;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterSettings;
import dev.sluice.router.admission.RequestAdmission;
import dev.sluice.router.policy.RoutingPolicies;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.schemas.topic.Topic;
import dev.sluice.topics.GroupIds;
import dev.sluice.topics.TopicLayout;
import dev.sluice.topics.cluster.ClusterView;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The router as one Kafka Streams topology:
 *
 * <pre>
 *   requests ─admit─┬─ invalid ────────────────────────────────────────────→ results (ERROR, reply partition)
 *                   └─ valid, keyed by prefix family ─repartition─ route ─┬─→ stage-0 (PREFILL_CHUNKs, partition = lane)
 *                                                                         └─→ results (no_workers, deadline_exceeded)
 *   kv-events ─→ global store (block → lanes; only for the precise policy)
 *   unreadable requests that name their id ─→ results (ERROR invalid_request, DeadLetterHandler)
 *   other unreadable bytes and tombstones on any input ─→ dlq (DeadLetterHandler)
 * </pre>
 *
 * The workers (lane owners, load, liveness) come from a {@link ClusterView} that reads their heartbeats
 * beside the topology; the results (TOKEN/DONE/ERROR of the requests this router placed: its in-flight
 * table) from an {@link InFlightResultsReader} beside it too, a tail of the results topic. (It was a
 * global store once: a persistent one, for its checkpoint, whose RocksDB and bootstrap cost a restarted
 * router seconds before it routed, and whose native library every killed router left in the temp folder.) The repartition by the first block's hash gives one task every request of a prefix family, so the
 * routing index (a changelogged store) is consistent however many router instances run.
 */
public final class RouterTopology {
  private RouterTopology() {}

  public static final String KV_INDEX_STORE = "router-kv-index";
  public static final String PREFIX_INDEX_STORE = "router-prefix-index";
  public static final String PENDING_STORE = "router-pending";
  /** Request ids admitted (sub-topology 0) and routed or ended (sub-topology 1), for de-duplicating replays. */
  public static final String ADMITTED_IDS_STORE = "router-admitted-ids";
  public static final String ROUTED_IDS_STORE = "router-routed-ids";
  /** Name of the repartition step; the topic is {@code <application.id>-prefix-family-repartition}. */
  public static final String FAMILY_REPARTITION = "prefix-family";

  /** Session timeout of the router's consumer: how long a dead router's tasks wait before they move. */
  public static final int SESSION_TIMEOUT_MS = 6_000;

  /** Streams config keys the router's error handlers read. */
  public static final String NAMESPACE_CONFIG = "sluice.router.namespace";
  public static final String METRICS_CONFIG = "sluice.router.metrics";

  /** The Streams application id (and consumer group) of every router instance of this prefix. */
  public static String applicationId(SluiceTopics topics) {
    return new GroupIds(topics).router();
  }

  /** An empty in-flight table for these settings' lanes and lane speed. */
  public static InFlightWork inFlightWork(RouterSettings settings) {
    return new InFlightWork(settings.lanes(), new dev.sluice.router.view.LaneSpeed(
        settings.cacheAware().prefillTokensPerSecond(), settings.cacheAware().decodeSecondsPerToken()));
  }

  /**
   * @param tokenizer the served model's tokenizer, or null to accept pre-tokenized requests only
   * @param inFlight this router process's placements not finished yet (shared by its routing tasks; an
   *     {@link InFlightResultsReader} ends them): the one table of the process, from {@link #inFlightWork}
   * @param cluster the workers, from their heartbeats
   * @param stages the topic layout's stage count
   */
  public static Topology build(SluiceTopics topics, RouterSettings settings, PromptTokenizer tokenizer, RouterMetrics metrics,
      InFlightWork inFlight, ClusterView cluster, int stages) {
    StreamsBuilder builder = new StreamsBuilder();
    RequestAdmission admission = new RequestAdmission(settings, tokenizer);
    Topic<String, StageWork> stage0 = topics.stage(0);
    Topic<String, ResultEvent> results = topics.results();

    if (RoutingPolicies.needsWorkerReports(settings.policy())) {
      builder.addGlobalStore(
          Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(KV_INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray())
              .withLoggingDisabled(),
          topics.kvEvents().name(),
          Consumed.with(topics.kvEvents().keySerde(), topics.kvEvents().valueSerde()).withName("kv-events"),
          KvEventIndexUpdater::new);
    }
    // Changelogged (the default): a restarted or added router instance restores them from Kafka.
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(PREFIX_INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray()));
    builder.addStateStore(Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(PENDING_STORE), stage0.keySerde(), stage0.valueSerde()));
    builder.addStateStore(RequestIdMemory.storeBuilder(ADMITTED_IDS_STORE, settings.routedIdsTtlMs()));
    builder.addStateStore(RequestIdMemory.storeBuilder(ROUTED_IDS_STORE, settings.routedIdsTtlMs()));

    Map<String, KStream<String, SpecificRecord>> admitted = builder
        .stream(topics.requests().name(), Consumed.with(topics.requests().keySerde(),
            Serdes.serdeFrom(topics.requests().valueSerde().serializer(), new RequestRecordDeserializer())).withName("requests"))
        .process(() -> new AdmissionProcessor(admission, metrics, settings.routedIdsTtlMs()), Named.as("admit"), ADMITTED_IDS_STORE)
        .split(Named.as("admission-"))
        .branch((key, value) -> value instanceof StageWork, Branched.as("valid"))
        .defaultBranch(Branched.as("invalid"));
    writeResults(admitted.get("admission-invalid"), results, "invalid-requests");

    Map<String, KStream<String, SpecificRecord>> routed = admitted.get("admission-valid")
        .mapValues(value -> (StageWork) value, Named.as("as-prompt"))
        .repartition(Repartitioned.with(stage0.keySerde(), stage0.valueSerde()).withName(FAMILY_REPARTITION))
        // The global kv-index store is readable from any processor without being named here.
        .process(() -> new LaneRoutingProcessor(settings, metrics, inFlight, cluster, stages), Named.as("route"),
            PREFIX_INDEX_STORE, PENDING_STORE, ROUTED_IDS_STORE)
        .split(Named.as("routing-"))
        .branch((key, value) -> value instanceof StageWork, Branched.as("chunks"))
        .defaultBranch(Branched.as("ended"));
    routed.get("routing-chunks")
        .mapValues(value -> (StageWork) value, Named.as("as-chunk"))
        .to(stage0.name(), Produced.with(stage0.keySerde(), stage0.valueSerde()).withStreamPartitioner(new LanePartitioner())
            .withName("stage-0"));
    writeResults(routed.get("routing-ended"), results, "ended-requests");
    return builder.build();
  }

  private static void writeResults(KStream<String, SpecificRecord> stream, Topic<String, ResultEvent> results, String name) {
    stream.mapValues(value -> (ResultEvent) value, Named.as("as-" + name))
        .to(results.name(), Produced.with(results.keySerde(), results.valueSerde()).withStreamPartitioner(new ReplyPartitioner())
            .withName(name));
  }

  /**
   * Streams settings: at-least-once, 100 ms commits, no producer linger (latency), idempotent acks=all
   * producer sized for the largest record the topics accept ({@link TopicLayout#producerSizeProps}),
   * state under {@code dataDir/streams}, and the router's error handlers. Kafka client settings (security, ...) can be added to the returned properties.
   */
  public static Properties properties(RouterSettings settings, String bootstrapServers, SluiceTopics topics, RouterMetrics metrics) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(topics));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    p.put(StreamsConfig.STATE_DIR_CONFIG, settings.dataDir().resolve("streams").toAbsolutePath().toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), true);
    TopicLayout.producerSizeProps(TopicLayout.DEFAULT_MAX_MESSAGE_BYTES)
        .forEach((key, value) -> p.put(StreamsConfig.producerPrefix(key), value));
    // Classic group protocol with a short heartbeat: rebalances take about a second (STACK.md).
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 500);
    // Failover (router-stream README): the tasks of a router that died without leaving the group move
    // after the session timeout. Streams' 45 s default stalled routing ~45 s after a kill -9; 6 s is the
    // broker's smallest allowed session (group.min.session.timeout.ms).
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), SESSION_TIMEOUT_MS);
    // Static membership: a router restarted under the same instance id is handed its tasks back at once,
    // without waiting for its old session to expire and without a rebalance (Streams appends "-<thread>").
    if (settings.instanceId() != null) {
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), settings.instanceId());
    }
    // With a second router running, it keeps warm copies of the stores (index, pending, request ids) and
    // takes a dead router's tasks over without restoring them from the changelogs.
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ProcessingFailureHandler.class);
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionFailureHandler.class);
    p.put("processing.exception.handler.global.enabled", true);
    p.put(NAMESPACE_CONFIG, topics.namespace());
    if (metrics != null) p.put(METRICS_CONFIG, metrics);
    return p;
  }

  /** The metrics object passed in the Streams config, for the error handlers Streams instantiates. */
  static RouterMetrics metricsFrom(Map<String, ?> configs) {
    return configs.get(METRICS_CONFIG) instanceof RouterMetrics m ? m : null;
  }
}
