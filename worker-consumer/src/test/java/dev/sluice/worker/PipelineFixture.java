package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.testing.SharedData;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.hash.BlockHasher;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A pipeline of real stage workers on the shared broker, with this test playing the router: it writes
 * PREFILL_CHUNK records to stage-0 following the cross-module contract, and reads the results topic.
 * Public, and in this module's test jar, for the end-to-end tests of pipeline-tests (which run workers
 * as child JVMs too).
 */
public final class PipelineFixture implements AutoCloseable {
  public static final int LANES = 4;
  static final int CHUNK = 64;
  static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

  public final String namespace;
  public final SluiceTopics topics;
  public final Path model;
  final String modelName;
  final Path dataRoot;
  public final List<StageWorker> workers = new CopyOnWriteArrayList<>();
  private final KafkaProducer<String, StageWork> producer;

  PipelineFixture(String name, int stages) throws IOException {
    this(name, stages, SharedData.stories260K());
  }

  /** A pipeline serving {@code model} (any model folder, e.g. one of ../shared/golden/hf-families). */
  PipelineFixture(String name, int stages, Path model) throws IOException {
    this(name, stages, model, Files.createTempDirectory("sluice-worker-test"));
  }

  /** A pipeline serving {@code model}, its workers' data directories under {@code dataRoot}. */
  public PipelineFixture(String name, int stages, Path model, Path dataRoot) throws IOException {
    this.model = model;
    this.modelName = model.getFileName().toString();
    assumeTrue(Files.isDirectory(model), "model missing at " + model + " — skipping pipeline test");
    this.namespace = SharedKafkaExtension.uniquePrefix(name);
    this.topics = new SluiceTopics(namespace);
    this.dataRoot = dataRoot;
    try (TopicAdmin admin = TopicAdmin.connect(SharedKafkaExtension.bootstrapServers())) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(stages).withLanes(LANES)
          .withResultsPartitions(2));
    }
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.stageWork().serializer());
  }

  public WorkerSettings settings(int stage, String layers, String workerId) {
    return WorkerSettings.of(stage, LayerRange.parse(layers), model, SharedKafkaExtension.bootstrapServers(), namespace)
        .withWorkerId(workerId)
        .withDataDir(dataRoot.resolve(workerId))
        .withKvCacheMb(16);
  }

  public StageWorker start(WorkerSettings settings) {
    return start(settings, FaultInjection.NONE);
  }

  StageWorker start(WorkerSettings settings, FaultInjection faults) {
    StageWorker w = StageWorker.start(settings, REGISTRY, faults);
    workers.add(w);
    return w;
  }

  /** Starts one worker per layer range, stage k running ranges[k]. */
  void startChain(String... ranges) {
    for (int k = 0; k < ranges.length; k++) {
      start(settings(k, ranges[k], namespace + "-w" + k));
    }
  }

  /** Writes a request's prompt as PREFILL_CHUNK records of at most CHUNK positions to stage-0 on its lane. */
  public void submit(String requestId, int[] prompt, int maxTokens, int lane) {
    List<Integer> ids = Arrays.stream(prompt).boxed().toList();
    List<ByteBuffer> hashes = new BlockHasher(modelName, null, 16).hashes(prompt).stream()
        .map(ByteBuffer::wrap).toList();
    Sampling sampling = Sampling.newBuilder().setMaxTokens(maxTokens).setTemperature(0f).build();
    long now = System.currentTimeMillis();
    for (int start = 0; start < prompt.length; start += CHUNK) {
      int end = Math.min(prompt.length, start + CHUNK);
      StageWork w = StageWork.newBuilder()
          .setRequestId(requestId)
          .setLane(lane)
          .setKind(WorkKind.PREFILL_CHUNK)
          .setStartPos(start)
          .setEndPos(end)
          .setTokenIds(ids)
          .setPromptLength(prompt.length)
          .setBlockHashes(hashes)
          .setSampling(sampling)
          .setLastPromptChunk(end == prompt.length)
          .setModel(modelName)
          .setCreatedAtMs(now)
          .setRoutedAtMs(now)
          .build();
      producer.send(new ProducerRecord<>(topics.stage(0).name(), lane, requestId, w));
    }
    producer.flush();
  }

  /** Reads the results topic from the start until every request has a DONE or ERROR, or the timeout passes. */
  Map<String, List<ResultEvent>> awaitResults(List<String> requestIds, Duration timeout) {
    Map<String, List<ResultEvent>> byRequest = new LinkedHashMap<>();
    requestIds.forEach(id -> byRequest.put(id, new ArrayList<>()));
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // as a plain consumer of transactional results
    try (KafkaConsumer<String, ResultEvent> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), SluiceSerdes.resultEvent().deserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topics.results().name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (System.currentTimeMillis() < deadline && !allFinished(byRequest)) {
        for (ConsumerRecord<String, ResultEvent> r : consumer.poll(Duration.ofMillis(200))) {
          byRequest.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
      }
      // a little longer, so that a duplicate DONE written late would be seen
      long settle = System.currentTimeMillis() + 1500;
      while (System.currentTimeMillis() < settle) {
        for (ConsumerRecord<String, ResultEvent> r : consumer.poll(Duration.ofMillis(200))) {
          byRequest.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
      }
    }
    return byRequest;
  }

  static boolean allFinished(Map<String, List<ResultEvent>> byRequest) {
    return byRequest.values().stream().allMatch(events -> events.stream().anyMatch(PipelineFixture::isFinal));
  }

  static boolean isFinal(ResultEvent e) {
    return e.getKind() == ResultKind.DONE || e.getKind() == ResultKind.ERROR;
  }

  /** The generated tokens, de-duplicated by result index (as result consumers do). */
  public static int[] tokens(List<ResultEvent> events) {
    Map<Integer, Integer> byIndex = new java.util.TreeMap<>();
    for (ResultEvent e : events) {
      if (e.getKind() == ResultKind.TOKEN) {
        byIndex.put(e.getIndex(), e.getTokenIds().get(0));
      }
    }
    return byIndex.values().stream().mapToInt(Integer::intValue).toArray();
  }

  static ResultEvent done(List<ResultEvent> events) {
    List<ResultEvent> finals = events.stream().filter(PipelineFixture::isFinal).toList();
    assertThat(finals).as("final results").hasSize(1);
    return finals.get(0);
  }

  /** Tokens of a golden file: int32 T, int32 V, int32 tokens[T], ... (little-endian). */
  static int[] goldenTokens(String file) throws IOException {
    Path path = SharedData.stories260KGolden(file);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
    int t = b.getInt();
    b.getInt();
    int[] tokens = new int[t];
    for (int i = 0; i < t; i++) {
      tokens[i] = b.getInt();
    }
    return tokens;
  }

  @Override
  public void close() {
    for (StageWorker w : workers) {
      try {
        w.close();
      } catch (RuntimeException e) {
        // already closed or abandoned
      }
    }
    producer.close();
  }
}
