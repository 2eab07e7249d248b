package dev.sluice.worker.bench;

import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.plan.StagePlanner;
import dev.sluice.model.StageModel;
import dev.sluice.model.convert.RandomModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
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
 * Generated tokens/s of a 2-stage pipeline over a real broker against in-process generation
 * ({@link Generator}) of the same concurrent workload, in one run, plus the per-hop Kafka latency
 * (stage 0 → stage 1, and the loop-back stage 1 → stage 0) read from the records' stage stamps.
 *
 * <pre>
 * java ... dev.sluice.worker.bench.PipelineBenchmark --bootstrap-servers H:P [--model DIR | --shape gpt2-small]
 *     [--requests 16] [--prompt-tokens 32] [--max-tokens 32] [--batching-window-ms 5] [--max-batch-size 16]
 * </pre>
 */
public final class PipelineBenchmark {
  /** What to run. */
  public record Options(Path model, String shape, int requests, int promptTokens, int maxTokens, int batchingWindowMs,
      int maxBatchSize) {
    public static Options defaults() {
      return new Options(null, "gpt2-small", 16, 32, 32, WorkerSettings.DEFAULT_BATCHING_WINDOW_MS,
          WorkerSettings.DEFAULT_MAX_BATCH_SIZE);
    }

    Options with(String flag, String value) {
      return switch (flag) {
        case "--model" -> new Options(Path.of(value), null, requests, promptTokens, maxTokens, batchingWindowMs, maxBatchSize);
        case "--shape" -> new Options(null, value, requests, promptTokens, maxTokens, batchingWindowMs, maxBatchSize);
        case "--requests" -> new Options(model, shape, Integer.parseInt(value), promptTokens, maxTokens, batchingWindowMs,
            maxBatchSize);
        case "--prompt-tokens" -> new Options(model, shape, requests, Integer.parseInt(value), maxTokens, batchingWindowMs,
            maxBatchSize);
        case "--max-tokens" -> new Options(model, shape, requests, promptTokens, Integer.parseInt(value), batchingWindowMs,
            maxBatchSize);
        case "--batching-window-ms" -> new Options(model, shape, requests, promptTokens, maxTokens, Integer.parseInt(value),
            maxBatchSize);
        case "--max-batch-size" -> new Options(model, shape, requests, promptTokens, maxTokens, batchingWindowMs,
            Integer.parseInt(value));
        default -> throw new IllegalArgumentException("unknown option " + flag + " (--bootstrap-servers, --model, --shape,"
            + " --requests, --prompt-tokens, --max-tokens, --batching-window-ms, --max-batch-size)");
      };
    }
  }

  /** Measured figures. */
  public record Figures(double pipelineTokensPerSecond, double inProcessTokensPerSecond, long hopP50Ms, long hopP99Ms,
      long loopP50Ms, long loopP99Ms, long tokens) {
    public double ratio() {
      return pipelineTokensPerSecond / inProcessTokensPerSecond;
    }
  }

  private final PrintStream out;

  public PipelineBenchmark(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = null;
    Options o = Options.defaults();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--bootstrap-servers")) {
        bootstrap = args[++i];
      } else if (i + 1 < args.length) {
        o = o.with(args[i], args[++i]);
      } else {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
    }
    if (bootstrap == null) {
      throw new IllegalArgumentException("--bootstrap-servers is required");
    }
    new PipelineBenchmark(System.out).run(bootstrap, o);
  }

  public Figures run(String bootstrap, Options o) throws Exception {
    Path tmp = null;
    Path model = o.model();
    try {
      if (model == null) {
        tmp = Files.createTempDirectory("sluice-pipeline-bench");
        model = tmp.resolve(o.shape());
        out.println("writing a seeded random " + o.shape() + " model to " + model + " ...");
        RandomModel.write(RandomModel.parseShape(o.shape()), model, 1, null);
      }
      ModelConfig config = ModelConfig.read(model);
      List<int[]> prompts = prompts(config.vocabSize(), o);
      List<LayerRange> halves = StagePlanner.balanced(config, 2); // equal compute, the LM head counted
      out.printf("workload: %d concurrent requests, %d prompt tokens, %d new tokens each (greedy); stages %s | %s;"
          + " batching window %d ms, max batch %d%n", o.requests(), o.promptTokens(), o.maxTokens(), halves.get(0),
          halves.get(1), o.batchingWindowMs(), o.maxBatchSize());

      double inProcess = inProcess(model, prompts, o);
      PipelineRun pipeline = pipeline(bootstrap, model, halves, prompts, o);
      Figures f = new Figures(pipeline.tokensPerSecond, inProcess, pipeline.hop.getValueAtPercentile(50),
          pipeline.hop.getValueAtPercentile(99), pipeline.loop.getValueAtPercentile(50),
          pipeline.loop.getValueAtPercentile(99), pipeline.tokens);
      out.printf("in-process generation : %8.1f tokens/s%n", f.inProcessTokensPerSecond());
      out.printf("2-stage Kafka pipeline: %8.1f tokens/s (%d tokens)%n", f.pipelineTokensPerSecond(), f.tokens());
      out.printf("ratio pipeline/in-process: %.2f%n", f.ratio());
      out.printf("hop stage-0 -> stage-1 (produce to batch start): p50 %d ms, p99 %d ms (%d steps)%n", f.hopP50Ms(),
          f.hopP99Ms(), pipeline.hop.getTotalCount());
      out.printf("hop stage-1 -> stage-0 (loop-back):              p50 %d ms, p99 %d ms (%d steps)%n", f.loopP50Ms(),
          f.loopP99Ms(), pipeline.loop.getTotalCount());
      return f;
    } finally {
      if (tmp != null) {
        try (var files = Files.walk(tmp)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static List<int[]> prompts(int vocab, Options o) {
    SplittableRandom random = new SplittableRandom(42);
    List<int[]> prompts = new ArrayList<>();
    for (int r = 0; r < o.requests(); r++) {
      int[] p = new int[o.promptTokens()];
      p[0] = 1;
      for (int i = 1; i < p.length; i++) {
        p[i] = 3 + random.nextInt(vocab - 3);
      }
      prompts.add(p);
    }
    return prompts;
  }

  private double inProcess(Path model, List<int[]> prompts, Options o) throws IOException {
    out.println("in-process: loading the whole model ...");
    try (StageModel all = StageModel.loadAll(model); TextTokenizer tokenizer = Tokenizers.load(model)) {
      Generator g = new Generator(List.of(all), tokenizer);
      List<Generator.Request> requests = new ArrayList<>();
      for (int r = 0; r < prompts.size(); r++) {
        requests.add(new Generator.Request("bench-" + r, prompts.get(r), SamplingParams.GREEDY,
            new StopCondition(tokenizer.eosId(), o.maxTokens(), List.of())));
      }
      out.println("in-process: generating ...");
      long t0 = System.nanoTime();
      List<Generator.Completion> done = g.generate(requests, null);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long tokens = done.stream().mapToLong(c -> c.tokens().length).sum();
      out.printf("in-process: %d tokens in %.2f s%n", tokens, seconds);
      return tokens / seconds;
    }
  }

  private record PipelineRun(double tokensPerSecond, long tokens, Histogram hop, Histogram loop) {}

  private PipelineRun pipeline(String bootstrap, Path model, List<LayerRange> halves, List<int[]> prompts, Options o)
      throws Exception {
    String prefix = "bench-" + Long.toHexString(System.currentTimeMillis());
    SluiceTopics topics = new SluiceTopics(prefix);
    int lanes = Math.max(1, prompts.size());
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withPrefix(prefix).withStages(2).withLanes(lanes));
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    Path data = Files.createTempDirectory("sluice-bench-data");
    List<StageWorker> workers = new ArrayList<>();
    try {
      out.println("pipeline: starting 2 stage workers ...");
      for (int k = 0; k < 2; k++) {
        // random prompts share no blocks: the block cache is off so it costs nothing here
        workers.add(StageWorker.start(WorkerSettings.of(k, halves.get(k), model, bootstrap, prefix)
            .withWorkerId(prefix + "-w" + k).withDataDir(data.resolve("w" + k)).withKvCacheMb(0)
            .withBatching(o.maxBatchSize(), o.batchingWindowMs(), Math.max(o.maxBatchSize(), WorkerSettings.DEFAULT_MAX_QUEUE_SIZE)),
            registry));
      }
      long readyBy = System.currentTimeMillis() + 120_000;
      while (!workers.stream().allMatch(StageWorker::isReady)) {
        if (System.currentTimeMillis() > readyBy) {
          throw new IllegalStateException("workers not ready after 120 s");
        }
        Thread.sleep(100);
      }
      warmUp(bootstrap, topics, prompts.get(0));
      Histogram raw = rawKafkaLatency(bootstrap, topics.kvEvents().name() + "-ping");
      out.printf("raw Kafka produce->consume on this machine now: p50 %d ms, p99 %d ms (%d records)%n",
          raw.getValueAtPercentile(50), raw.getValueAtPercentile(99), raw.getTotalCount());
      out.println("pipeline: generating ...");
      long t0 = System.currentTimeMillis();
      submit(bootstrap, topics, prompts, o, "bench-");
      long[] doneAt = {0};
      long tokens = awaitDone(bootstrap, topics, "bench-", prompts.size(), doneAt);
      double seconds = (doneAt[0] - t0) / 1000.0;
      out.printf("pipeline: %d tokens in %.2f s%n", tokens, seconds);
      for (StageWorker w : workers) {
        out.printf("pipeline: stage %d ran %d batches, mean size %.1f, %.1f s of compute%n", w.settings().stage(),
            w.batches(), w.batchedRecords() / (double) Math.max(1, w.batches()), w.computeMillis() / 1000.0);
      }
      Histogram[] hops = hopLatencies(bootstrap, topics, "bench-");
      return new PipelineRun(tokens / seconds, tokens, hops[0], hops[1]);
    } finally {
      for (StageWorker w : workers) {
        w.close();
      }
    }
  }

  /** Produce→consume latency of small records, one at a time, as a baseline for the hop figures. */
  private static Histogram rawKafkaLatency(String bootstrap, String topic) throws Exception {
    Histogram h = new Histogram(3_600_000L, 3);
    Map<String, Object> pp = new HashMap<>();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    Map<String, Object> cp = new HashMap<>();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
            "bootstrap.servers", bootstrap));
        KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      for (int i = 0; i < 100; i++) {
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, "k", "v" + i));
        boolean got = false;
        while (!got) {
          got = !consumer.poll(Duration.ofMillis(100)).isEmpty();
        }
        h.recordValue((System.nanoTime() - sent) / 1_000_000);
      }
    }
    return h;
  }

  /** One short request through the pipeline first, so class loading and the first allocations are not timed. */
  private void warmUp(String bootstrap, SluiceTopics topics, int[] prompt) {
    out.println("pipeline: warm-up request ...");
    Options warm = new Options(null, null, 1, prompt.length, 2, 0, 1);
    submit(bootstrap, topics, List.of(prompt), warm, "warmup-");
    awaitDone(bootstrap, topics, "warmup-", 1, new long[1]);
  }

  private static void submit(String bootstrap, SluiceTopics topics, List<int[]> prompts, Options o, String idPrefix) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, StageWork> producer =
        new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.stageWork().serializer())) {
      long now = System.currentTimeMillis();
      for (int r = 0; r < prompts.size(); r++) {
        int[] prompt = prompts.get(r);
        String id = idPrefix + r;
        StageWork w = StageWork.newBuilder().setRequestId(id).setLane(r).setKind(WorkKind.PREFILL_CHUNK)
            .setStartPos(0).setEndPos(prompt.length).setTokenIds(Arrays.stream(prompt).boxed().toList())
            .setPromptLength(prompt.length)
            .setSampling(Sampling.newBuilder().setMaxTokens(o.maxTokens()).build())
            .setCreatedAtMs(now).setRoutedAtMs(now).build();
        producer.send(new ProducerRecord<>(topics.stage(0).name(), r, id, w));
      }
      producer.flush();
    }
  }

  /** Waits for every DONE; returns the completion tokens and sets doneAt[0] to the last DONE's time. */
  private long awaitDone(String bootstrap, SluiceTopics topics, String idPrefix, int requests, long[] doneAt) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    long tokens = 0;
    int done = 0;
    try (KafkaConsumer<String, ResultEvent> c =
        new KafkaConsumer<>(p, new StringDeserializer(), SluiceSerdes.resultEvent().deserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topics.results().name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 600_000;
      long lastProgress = 0;
      while (done < requests && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, ResultEvent> r : c.poll(Duration.ofMillis(100))) {
          if (!r.key().startsWith(idPrefix)) {
            continue;
          }
          if (r.value().getKind() == ResultKind.DONE || r.value().getKind() == ResultKind.ERROR) {
            done++;
            tokens += r.value().getUsage() == null ? 0 : r.value().getUsage().getCompletionTokens();
            doneAt[0] = Math.max(doneAt[0], r.value().getAtMs());
          }
        }
        if (System.currentTimeMillis() - lastProgress > 5000 && requests > 1) {
          out.printf("pipeline: %d/%d requests done%n", done, requests);
          lastProgress = System.currentTimeMillis();
        }
      }
    }
    if (done < requests) {
      throw new IllegalStateException("only " + done + " of " + requests + " requests finished");
    }
    return tokens;
  }

  /**
   * Hop latencies from the DECODE records looped back to stage-0: each carries the stamps of its step
   * (stage 0 sent, stage 1 received) and its own produce time (stage 1 sent), and the next step's
   * record of the same request says when stage 0 picked the loop-back up.
   */
  private static Histogram[] hopLatencies(String bootstrap, SluiceTopics topics, String idPrefix) {
    Histogram hop = new Histogram(3_600_000L, 3);
    Histogram loop = new Histogram(3_600_000L, 3);
    Map<String, List<StageWork>> byRequest = new HashMap<>();
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
    try (KafkaConsumer<String, StageWork> c =
        new KafkaConsumer<>(p, new StringDeserializer(), SluiceSerdes.stageWork().deserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topics.stage(0).name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, StageWork> r : c.poll(Duration.ofMillis(200))) {
          if (r.key().startsWith(idPrefix) && r.value().getKind() == WorkKind.DECODE) {
            StageWork w = r.value();
            List<StageStamp> s = w.getStamps();
            if (s.size() >= 2) {
              hop.recordValue(Math.max(0, s.get(1).getReceivedAtMs() - s.get(0).getSentAtMs()));
            }
            byRequest.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(w);
          }
        }
      }
    }
    for (List<StageWork> steps : byRequest.values()) {
      steps.sort(Comparator.comparingInt(StageWork::getStartPos));
      for (int i = 0; i + 1 < steps.size(); i++) {
        List<StageStamp> now = steps.get(i).getStamps();
        List<StageStamp> next = steps.get(i + 1).getStamps();
        if (now.size() >= 2 && !next.isEmpty()) {
          loop.recordValue(Math.max(0, next.get(0).getReceivedAtMs() - now.get(now.size() - 1).getSentAtMs()));
        }
      }
    }
    return new Histogram[] {hop, loop};
  }
}
