package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.embedded.ModelLocator;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
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
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * A 3-stage stories260K pipeline on the shared broker (layers 0-1 | 2-3 | 4), this test playing the
 * router: requests go to stage-0 as PREFILL_CHUNK records, results are read back as a plain consumer
 * reads them, and the expected output of each request comes from the in-process Generator.
 */
final class StagePipelineFixture implements AutoCloseable {
  static final String[] LAYERS = {"0-1", "2-3", "4-4"};
  static final int LANES = 4;

  final String namespace;
  final SluiceTopics topics;
  final Path model;
  final Path dir;
  final List<StageWorker> inProcess = new ArrayList<>();
  private final KafkaProducer<String, StageWork> producer;
  private final TextTokenizer tokenizer;

  StagePipelineFixture(String name, Path dir) throws Exception {
    this.model = ModelLocator.embeddedModel();
    assumeTrue(model != null && Files.isDirectory(model), "shared stories260K model missing — skipping");
    this.dir = dir;
    this.namespace = SharedKafkaExtension.uniquePrefix(name);
    this.topics = new SluiceTopics(namespace);
    try (TopicAdmin admin = TopicAdmin.connect(SharedKafkaExtension.bootstrapServers())) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(LAYERS.length).withLanes(LANES)
          .withResultsPartitions(2));
    }
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        SharedKafkaExtension.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), SluiceSerdes.stageWork().serializer());
    tokenizer = Tokenizers.load(model);
  }

  /** A stage worker in this JVM. */
  StageWorker startInProcess(int stage, String workerId) {
    StageWorker w = StageWorker.start(WorkerSettings.of(stage, LayerRange.parse(LAYERS[stage]), model,
        SharedKafkaExtension.bootstrapServers(), namespace).withWorkerId(workerId).withDataDir(dir.resolve(workerId))
        .withKvCacheMb(16), new PrometheusRegistry());
    inProcess.add(w);
    return w;
  }

  /** A stage worker as a child JVM, with a 6 s session timeout so its lanes move soon after a kill -9. */
  ChildWorker startChild(int stage, String workerId) throws Exception {
    Path props = dir.resolve("client.properties");
    Files.writeString(props, "session.timeout.ms=6000\n");
    return ChildWorker.start(workerId, dir.resolve(workerId), "--stage", String.valueOf(stage), "--layers",
        LAYERS[stage], "--model", model.toString(), "--bootstrap-servers", SharedKafkaExtension.bootstrapServers(),
        "--prefix", namespace, "--kv-cache-mb", "16", "--command-config", props.toString());
  }

  /** Prompts of different lengths, one per request id. */
  Map<String, int[]> prompts(int n) {
    Map<String, int[]> prompts = new LinkedHashMap<>();
    String[] openings = {"Once upon a time", "The little dog", "Lily wanted to", "One day, a big", "Tom and Sue"};
    for (int i = 0; i < n; i++) {
      prompts.put(namespace + "-r" + i, tokenizer.encode(openings[i % openings.length] + " " + "and ".repeat(i % 7)));
    }
    return prompts;
  }

  void submit(Map<String, int[]> prompts, int maxTokens) {
    int i = 0;
    long now = System.currentTimeMillis();
    for (Map.Entry<String, int[]> e : prompts.entrySet()) {
      int[] prompt = e.getValue();
      int lane = i++ % LANES;
      StageWork w = StageWork.newBuilder().setRequestId(e.getKey()).setLane(lane).setKind(WorkKind.PREFILL_CHUNK)
          .setStartPos(0).setEndPos(prompt.length).setTokenIds(Arrays.stream(prompt).boxed().toList())
          .setPromptLength(prompt.length).setLastPromptChunk(true).setModel("stories260K")
          .setBlockHashes(new BlockHasher("stories260K", null, 16).hashes(prompt).stream().map(ByteBuffer::wrap).toList())
          .setSampling(Sampling.newBuilder().setMaxTokens(maxTokens).setTemperature(0f).build())
          .setCreatedAtMs(now).setRoutedAtMs(now).build();
      producer.send(new ProducerRecord<>(topics.stage(0).name(), lane, e.getKey(), w));
    }
    producer.flush();
  }

  /** The in-process Generator's greedy tokens for each prompt: what an undisturbed run produces. */
  Map<String, int[]> expected(Map<String, int[]> prompts, int maxTokens) {
    Map<String, int[]> out = new HashMap<>();
    try (StageModel all = StageModel.loadAll(model)) {
      Generator g = new Generator(List.of(all), tokenizer);
      for (Map.Entry<String, int[]> e : prompts.entrySet()) {
        int[] tokens = g.generate(new Generator.Request(e.getKey(), e.getValue(), SamplingParams.GREEDY,
            new StopCondition(tokenizer.eosId(), maxTokens, List.of())), null).tokens();
        // the pipeline reports EOS in DONE, not as a TOKEN
        out.put(e.getKey(), tokens.length > 0 && tokens[tokens.length - 1] == tokenizer.eosId()
            ? Arrays.copyOf(tokens, tokens.length - 1) : tokens);
      }
    }
    return out;
  }

  /** Every result event of the prefix's requests, as a plain (read_committed) consumer sees them. */
  final class Results implements AutoCloseable {
    final Map<String, List<ResultEvent>> byRequest = new HashMap<>();
    private final KafkaConsumer<String, ResultEvent> consumer;

    Results() {
      consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
          SharedKafkaExtension.bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
          new StringDeserializer(), SluiceSerdes.resultEvent().deserializer());
      List<TopicPartition> parts = consumer.partitionsFor(topics.results().name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    void poll() {
      for (ConsumerRecord<String, ResultEvent> r : consumer.poll(Duration.ofMillis(100))) {
        byRequest.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
      }
    }

    long finished() {
      return byRequest.values().stream().filter(ev -> ev.stream().anyMatch(e -> e.getKind() != ResultKind.TOKEN))
          .count();
    }

    /** Polls until {@code n} requests finished (then 2 s more, to catch late duplicates) or the timeout. */
    void awaitFinished(int n, Duration timeout) {
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (finished() < n && System.currentTimeMillis() < deadline) {
        poll();
      }
      long settle = System.currentTimeMillis() + 2000;
      while (System.currentTimeMillis() < settle) {
        poll();
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * Every request ended once, with DONE; each TOKEN is on the results topic once; and the tokens are
   * what an undisturbed in-process run generates: one generation each, whatever was restarted.
   */
  void assertOneGenerationEach(Map<String, int[]> prompts, Results results, int maxTokens) {
    Map<String, int[]> expected = expected(prompts, maxTokens);
    for (String id : prompts.keySet()) {
      List<ResultEvent> events = results.byRequest.getOrDefault(id, List.of());
      assertThat(events.stream().filter(e -> e.getKind() != ResultKind.TOKEN).toList()).as("terminal events of %s", id)
          .hasSize(1).allMatch(e -> e.getKind() == ResultKind.DONE);
      Set<Integer> indexes = new HashSet<>();
      events.stream().filter(e -> e.getKind() == ResultKind.TOKEN).forEach(e ->
          assertThat(indexes.add(e.getIndex())).as("TOKEN %s#%d sent once", id, e.getIndex()).isTrue());
      assertThat(tokens(events)).as("tokens of %s", id).containsExactly(expected.get(id));
    }
  }

  /** Generated tokens of a request by result index. */
  static int[] tokens(List<ResultEvent> events) {
    Map<Integer, Integer> byIndex = new TreeMap<>();
    events.stream().filter(e -> e.getKind() == ResultKind.TOKEN).forEach(e -> byIndex.put(e.getIndex(),
        e.getTokenIds().get(0)));
    return byIndex.values().stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public void close() {
    inProcess.forEach(StageWorker::close);
    producer.close();
    tokenizer.close();
  }
}
