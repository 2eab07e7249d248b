package dev.sluice.ingress;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterService;
import dev.sluice.router.RouterSettings;
import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The whole system on the shared broker, for tests over HTTP: the real router, two real stage workers
 * running stories260K (layers 0-2 and 3-4) and an ingress; plus a plain reader of the results and
 * cancels topics, as any Kafka consumer reads them.
 */
final class PipelineUnderTest implements AutoCloseable {
  static final String MODEL = "stories260K";
  static final int LANES = 4;

  final String namespace;
  final SluiceTopics topics;
  final Path modelDir;
  final List<StageWorker> workers = new ArrayList<>();
  final IngressServer ingress;
  final TextTokenizer tokenizer;
  private final RouterService router;

  PipelineUnderTest(String name, UnaryOperator<IngressSettings> ingressSettings) throws Exception {
    modelDir = EndToEndTest.sharedDir().resolve("models").resolve(MODEL);
    assumeTrue(Files.isDirectory(modelDir), "shared model missing at " + modelDir.toAbsolutePath() + " — skipping");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    namespace = SharedKafkaExtension.uniquePrefix(name);
    topics = new SluiceTopics(namespace);
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(2).withLanes(LANES)
          .withRequestsPartitions(2).withResultsPartitions(2));
    }
    Path data = Files.createTempDirectory("sluice-" + name);
    tokenizer = Tokenizers.load(modelDir);
    router = RouterService.start(RouterSettings.defaults(MODEL).withLanes(LANES).withDataDir(data.resolve("router")),
        bootstrap, namespace, tokenizer::encode, Map.of(), new RouterMetrics(new PrometheusRegistry()));
    PrometheusRegistry workerRegistry = new PrometheusRegistry();
    String[] ranges = {"0-2", "3-4"};
    for (int stage = 0; stage < ranges.length; stage++) {
      String id = namespace + "-w" + stage;
      workers.add(StageWorker.start(WorkerSettings.of(stage, LayerRange.parse(ranges[stage]), modelDir, bootstrap, namespace)
          .withWorkerId(id).withDataDir(data.resolve(id)).withKvCacheMb(16), workerRegistry));
    }
    ingress = IngressServer.start(ingressSettings.apply(IngressSettings.forModel(MODEL).withHost("127.0.0.1").withPort(0)),
        bootstrap, namespace, new PrometheusRegistry());
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
        .until(() -> router.isReady() && workers.stream().allMatch(StageWorker::isReady) && ingress.isReady());
  }

  int port() {
    return ingress.port();
  }

  /** Every record of a topic so far, by key (a plain consumer from the beginning). */
  <V> Map<String, List<ConsumerRecord<String, V>>> read(String topic, Deserializer<V> values) {
    Map<String, List<ConsumerRecord<String, V>>> byKey = new HashMap<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(100))) {
          byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
      }
    }
    return byKey;
  }

  Map<String, List<ResultEvent>> results() {
    Map<String, List<ResultEvent>> out = new HashMap<>();
    read(topics.results().name(), SluiceSerdes.resultEvent().deserializer())
        .forEach((k, records) -> out.put(k, records.stream().map(ConsumerRecord::value).toList()));
    return out;
  }

  Map<String, CancelRequest> cancels() {
    Map<String, CancelRequest> out = new HashMap<>();
    read(topics.cancels().name(), SluiceSerdes.cancelRequest().deserializer())
        .forEach((k, records) -> out.put(k, records.get(records.size() - 1).value()));
    return out;
  }

  @Override
  public void close() {
    ingress.close();
    workers.forEach(StageWorker::close);
    router.close();
    tokenizer.close();
  }
}
