package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.cli.config.SharedKeys;
import dev.sluice.model.LayerRange;
import dev.sluice.worker.Guarantee;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import dev.sluice.worker.metrics.WorkerMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Run a stage worker for a range of layers until Ctrl-C (then drain: finish, commit, leave the group). */
@Command(name = "worker", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class, modelTransformer = KeyOptions.class,
    description = "Run a stage worker for a range of layers: consumes PREFIX.stage-K, forwards to stage-K+1 on the "
        + "same lane (the last stage samples and writes results). Settings: flag > SLUICE_* env > --config YAML > default.")
public final class WorkerCommand implements Callable<Integer>, KeyDefaults.Keyed {
  static final ConfigKey<Integer> STAGE = ConfigKey.intKey("stage", null, 0, 1024, "stage number K (consumes PREFIX.stage-K)");
  static final ConfigKey<String> LAYERS = new ConfigKey<>("layers", null, s -> s, WorkerCommand::isLayerRange,
      "a layer range A-B (inclusive), e.g. 0-2", "layers this stage runs, inclusive (stage 0 starts at 0)");
  static final ConfigKey<String> MODEL = new ConfigKey<>("model", null, s -> s, ModelReferences::isReference,
      ModelReferences.DESCRIPTION, "model directory (Hugging Face layout or a split) or hub id ORG/NAME[@REVISION]");
  static final ConfigKey<String> WORKER_ID = new ConfigKey<>("worker_id", "", s -> s,
      s -> s.isEmpty() || s.matches("[A-Za-z0-9._-]+"), "letters, digits, '.', '_' or '-'",
      "worker id (group.instance.id; keep it across restarts to come back warm); default HOST-stage-K");
  static final ConfigKey<String> DATA_DIR = new ConfigKey<>("data_dir", "", s -> s, s -> true, "a directory path",
      "where the KV block cache is persisted; default ./data/WORKER_ID");
  static final ConfigKey<Integer> MAX_BATCH_SIZE = ConfigKey.intKey("max_batch_size",
      WorkerSettings.DEFAULT_MAX_BATCH_SIZE, 1, 4096, "records per batched forward");
  static final ConfigKey<Integer> BATCHING_WINDOW_MS = ConfigKey.intKey("batching_window_ms",
      WorkerSettings.DEFAULT_BATCHING_WINDOW_MS, 0, 60_000, "wait for more records once one waits (ms)");
  static final ConfigKey<Integer> MAX_QUEUE_SIZE = ConfigKey.intKey("max_queue_size",
      WorkerSettings.DEFAULT_MAX_QUEUE_SIZE, 1, 1_000_000, "records waiting before lanes are paused");
  static final ConfigKey<Integer> KV_CACHE_MB = ConfigKey.intKey("kv_cache_mb", WorkerSettings.DEFAULT_KV_CACHE_MB,
      0, 1_048_576, "KV block cache budget in MiB (0 = off)");
  static final ConfigKey<Integer> HOT_KV_MB = ConfigKey.intKey("hot_kv_mb", 0, 0, 1_048_576,
      "budget of the per-sequence hot KV in MiB (0 = max(64, kv_cache_mb / 2))");
  static final ConfigKey<Integer> THREADS = ConfigKey.intKey("threads", 0, 0, 1024,
      "PyTorch threads (0 = engine default)");
  static final ConfigKey<String> GUARANTEE = ConfigKey.choiceKey("guarantee", "at-least-once",
      List.of("at-least-once", "exactly-once"), "delivery guarantee between stages");
  static final ConfigKey<Integer> IDLE_TIMEOUT_S = ConfigKey.intKey("idle_timeout_s", 120, 1, 86_400,
      "release a sequence's hot KV after this many idle seconds");
  static final ConfigKey<Integer> MAX_MESSAGE_BYTES = ConfigKey.intKey("max_message_bytes",
      WorkerSettings.DEFAULT_MAX_MESSAGE_BYTES, 1024, Integer.MAX_VALUE, "largest record (matches the topics)");
  static final ConfigKey<Integer> METRICS_PORT = ConfigKey.intKey("metrics_port", -1, -1, 65535,
      "serve Prometheus /metrics on this port (-1 = off, 0 = any free port)");

  static final List<ConfigKey<?>> KEYS = List.of(STAGE, LAYERS, MODEL, WORKER_ID, DATA_DIR, MAX_BATCH_SIZE,
      BATCHING_WINDOW_MS, MAX_QUEUE_SIZE, KV_CACHE_MB, HOT_KV_MB, SharedKeys.BLOCK_SIZE, THREADS, GUARANTEE, IDLE_TIMEOUT_S,
      MAX_MESSAGE_BYTES, METRICS_PORT);

  @Mixin KafkaOptions kafka;

  @Spec CommandSpec spec;

  private final CountDownLatch stopRequested = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException, IOException {
    SystemDefaults.apply();
    ConfigResolver resolver = kafka.strictResolver(KEYS);
    WorkerSettings settings = settings(resolver);
    var out = spec.commandLine().getOut();
    int port = resolver.get(METRICS_PORT);
    if (settings.threads() > 0) {
      // an explicit --threads wins over the launcher's default of one thread (read when the engine starts)
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(settings.threads()));
    }
    // every series of this worker exists from the start (0, not "no data" on dashboards and in alerts)
    WorkerMetrics.in(PrometheusRegistry.defaultRegistry).startAtZero(settings.workerId(), settings.stage());
    try (StopOnCtrlC ctrlC = new StopOnCtrlC("sluice-worker-shutdown", stopRequested);
        StageWorker worker = StageWorker.start(settings);
        HTTPServer metrics = port < 0 ? null : HTTPServer.builder().port(port).buildAndStart()) {
      out.println("worker " + settings.workerId() + ": stage " + settings.stage() + ", layers " + settings.layers()
          + ", model " + settings.modelId() + ", Kafka " + settings.bootstrapServers() + ", prefix " + settings.namespace()
          + (metrics == null ? "" : ", metrics on http://0.0.0.0:" + metrics.getPort() + "/metrics"));
      out.flush();
      while (!stopRequested.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
        if (worker.failure() != null) {
          throw new IllegalStateException("worker stopped: " + worker.failure().getMessage(), worker.failure());
        }
      }
      out.println("draining worker " + settings.workerId());
      out.flush();
    }
    return 0;
  }

  /** Stops a running {@code call()} as Ctrl-C would (tests, embedding). */
  void requestStop() {
    stopRequested.countDown();
  }

  @Override
  public List<ConfigKey<?>> keys() {
    return KEYS;
  }

  /** Resolves and validates every key (so a bad one fails at start, naming the key). */
  WorkerSettings settings(ConfigResolver r) {
    for (ConfigKey<?> key : KEYS) {
      r.get(key); // every key is checked now, even those only used later
    }
    int stage = r.get(STAGE);
    LayerRange range = LayerRange.parse(r.get(LAYERS));
    if ((stage == 0) != (range.start() == 0)) {
      throw new ConfigException("'layers' " + range + " must start at layer 0 exactly when 'stage' is 0 (stage " + stage + ")");
    }
    if (r.get(MAX_QUEUE_SIZE) < r.get(MAX_BATCH_SIZE)) {
      throw new ConfigException("'max_queue_size' (" + r.get(MAX_QUEUE_SIZE) + ") must be at least 'max_batch_size' ("
          + r.get(MAX_BATCH_SIZE) + ")");
    }
    String id = r.get(WORKER_ID).isEmpty() ? hostName() + "-stage-" + stage : r.get(WORKER_ID);
    Path data = r.get(DATA_DIR).isEmpty() ? Path.of("data", id) : Path.of(r.get(DATA_DIR));
    Path modelDir = ModelReferences.resolve(r.get(MODEL), new PrintWriter(System.out, true));
    return new WorkerSettings(stage, range, modelDir, null, kafka.bootstrapServers(), kafka.namespace(), id, data,
        r.get(MAX_BATCH_SIZE), r.get(BATCHING_WINDOW_MS), r.get(MAX_QUEUE_SIZE), r.get(KV_CACHE_MB), r.get(HOT_KV_MB),
        r.get(SharedKeys.BLOCK_SIZE), r.get(THREADS),
        Guarantee.parse(r.get(GUARANTEE)), Duration.ofSeconds(r.get(IDLE_TIMEOUT_S)), r.get(MAX_MESSAGE_BYTES),
        kafka.clientOverrides());
  }

  private static boolean isLayerRange(String s) {
    try {
      LayerRange.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
    } catch (IOException e) {
      return "worker";
    }
  }
}
