package dev.sluice.bench.pipeline;

import dev.sluice.model.LayerRange;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.Guarantee;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * An S-stage pipeline of real {@link StageWorker}s on a broker, sharing T PyTorch threads (T / S per
 * stage while all stages are busy, T when they take turns — see the worker's Scheduler), fed directly
 * on {@code stage-0} (the router is not what is measured) and read on the results topic.
 */
final class PipelineRig implements AutoCloseable {
  private final String namespace;
  private final SluiceTopics topics;
  private final List<StageWorker> workers = new ArrayList<>();
  private final KafkaProducer<String, StageWork> producer;
  private final KafkaConsumer<String, ResultEvent> results;
  private final String bootstrap;
  private final int lanes;

  PipelineRig(String bootstrap, Path model, List<LayerRange> stages, int lanes, PipelineBenchmark.Options o,
      Guarantee guarantee) throws Exception {
    this.bootstrap = bootstrap;
    this.lanes = lanes;
    this.namespace = "bench-" + guarantee.name().toLowerCase().charAt(0) + Long.toHexString(System.nanoTime());
    this.topics = new SluiceTopics(namespace);
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(stages.size()).withLanes(lanes));
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    Path data = Files.createTempDirectory("sluice-bench-data");
    for (int k = 0; k < stages.size(); k++) {
      // random prompts share no blocks: the block cache is off so it costs nothing here
      workers.add(StageWorker.start(WorkerSettings.of(k, stages.get(k), model, bootstrap, namespace)
          .withWorkerId(namespace + "-w" + k).withDataDir(data.resolve("w" + k)).withKvCacheMb(0).withThreads(o.threads())
          .withGuarantee(guarantee)
          .withBatching(o.maxBatchSize(), o.batchingWindowMs(), Math.max(o.maxBatchSize(),
              WorkerSettings.DEFAULT_MAX_QUEUE_SIZE)), registry));
    }
    long readyBy = System.currentTimeMillis() + 120_000;
    while (!workers.stream().allMatch(StageWorker::isReady)) {
      if (System.currentTimeMillis() > readyBy) {
        throw new IllegalStateException("workers not ready after 120 s");
      }
      Thread.sleep(50);
    }
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 0), topics.stage(0).keySerde().serializer(),
        topics.stage(0).valueSerde().serializer());
    results = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), topics.results().keySerde().deserializer(),
        topics.results().valueSerde().deserializer());
    List<TopicPartition> parts = results.partitionsFor(topics.results().name()).stream()
        .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    results.assign(parts);
    results.seekToEnd(parts);
    parts.forEach(results::position);
  }

  SluiceTopics topics() {
    return topics;
  }

  List<StageWorker> workers() {
    return workers;
  }

  /** The DONE events of one run of all prompts at once (request ids idPrefix + index). */
  List<ResultEvent> run(List<int[]> prompts, int maxTokens, String idPrefix) {
    long now = System.currentTimeMillis();
    for (int r = 0; r < prompts.size(); r++) {
      int[] prompt = prompts.get(r);
      String id = idPrefix + r;
      StageWork w = StageWork.newBuilder().setRequestId(id).setLane(r % lanes).setKind(WorkKind.PREFILL_CHUNK)
          .setStartPos(0).setEndPos(prompt.length).setTokenIds(Arrays.stream(prompt).boxed().toList())
          .setPromptLength(prompt.length).setSampling(Sampling.newBuilder().setMaxTokens(maxTokens).build())
          .setCreatedAtMs(now).setRoutedAtMs(now).build();
      producer.send(new ProducerRecord<>(topics.stage(0).name(), r % lanes, id, w));
    }
    producer.flush();
    Map<String, ResultEvent> done = new HashMap<>();
    long deadline = System.currentTimeMillis() + 600_000;
    while (done.size() < prompts.size()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("only " + done.size() + " of " + prompts.size() + " requests finished");
      }
      for (ConsumerRecord<String, ResultEvent> r : results.poll(Duration.ofMillis(50))) {
        if (r.key().startsWith(idPrefix) && r.value().getKind() != ResultKind.TOKEN) {
          if (r.value().getKind() == ResultKind.ERROR) {
            throw new IllegalStateException("request " + r.key() + " failed: " + r.value().getErrorMessage());
          }
          done.put(r.key(), r.value());
        }
      }
    }
    return new ArrayList<>(done.values());
  }

  /** Every DECODE record looped back to stage-0 for these requests: their stamps hold each stage's times. */
  List<StageWork> loopBacks(String idPrefix) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.putAll(TopicLayout.consumerSizeProps(TopicLayout.DEFAULT_MAX_MESSAGE_BYTES));
    List<StageWork> out = new ArrayList<>();
    try (KafkaConsumer<String, StageWork> c = new KafkaConsumer<>(p, topics.stage(0).keySerde().deserializer(),
        topics.stage(0).valueSerde().deserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topics.stage(0).name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, StageWork> r : c.poll(Duration.ofMillis(200))) {
          if (r.key().startsWith(idPrefix) && r.value().getKind() == WorkKind.DECODE) {
            out.add(r.value());
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    producer.close();
    results.close();
    workers.forEach(StageWorker::close);
  }
}
