package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.cli.config.SharedKeys;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.model.ModelConfig;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterService;
import dev.sluice.router.RouterSettings;
import dev.sluice.router.policy.CacheAwareParams;
import dev.sluice.router.policy.RoutingPolicies;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Run the Kafka Streams router until Ctrl-C. */
@Command(name = "router", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class, modelTransformer = KeyOptions.class,
    description = "Run the Kafka Streams router (validate, tokenize, block-hash, choose a lane, write stage-0) until Ctrl-C.")
public final class RouterCommand implements Callable<Integer>, KeyDefaults.Keyed {
  /** The router's defaults ({@link RouterSettings#defaults}): every key below takes its default from them. */
  static final RouterSettings DEFAULTS = RouterSettings.defaults(ModelLocator.EMBEDDED_NAME);

  static final ConfigKey<String> POLICY = ConfigKey.choiceKey("policy", DEFAULTS.policy(), RoutingPolicies.NAMES,
      "routing policy");
  static final ConfigKey<String> MODEL = new ConfigKey<>("model", "", s -> s, s -> s.isEmpty() || ModelReferences.isReference(s),
      ModelReferences.DESCRIPTION, "model directory or hub id whose tokenizer turns prompt text into tokens; empty = promptTokens only");
  static final ConfigKey<String> MODEL_NAME = new ConfigKey<>("model_name", "", s -> s, s -> true, "a name",
      "served model name (default: the hub id or the model directory's name, else stories260K)");
  static final ConfigKey<Integer> LANES = ConfigKey.intKey("lanes", DEFAULTS.lanes(), 1, 4096,
      "lanes = partitions of every stage topic");
  static final ConfigKey<String> DATA_DIR = ConfigKey.stringKey("data_dir", DEFAULTS.dataDir().toString(),
      "Kafka Streams state directory");
  static final ConfigKey<Integer> MAX_PROMPT_TOKENS = ConfigKey.intKey("max_prompt_tokens", DEFAULTS.maxPromptTokens(), 1, 1 << 20,
      "longer prompts get ERROR too_large");
  static final ConfigKey<Integer> MAX_PROMPT_BYTES = ConfigKey.intKey("max_prompt_bytes", DEFAULTS.maxPromptBytes(), 0, Integer.MAX_VALUE,
      "prompt text longer than this many UTF-8 bytes gets ERROR too_large before it is tokenized; 0 = "
          + RouterSettings.BYTES_PER_TOKEN_BOUND + " x max_prompt_tokens");
  static final ConfigKey<Integer> ROUTED_IDS_TTL_S = ConfigKey.intKey("routed_ids_ttl_s",
      (int) (DEFAULTS.routedIdsTtlMs() / 1000), 1, Integer.MAX_VALUE,
      "a request id routed within this many seconds is never routed again (replays after a router crash)");
  static final ConfigKey<String> INSTANCE_ID = new ConfigKey<>("instance_id", "", s -> s,
      s -> s.isEmpty() || s.matches("[a-zA-Z0-9._-]{1,200}"), "letters, digits, '.', '_' and '-' (at most 200)",
      "this router's name across restarts (Kafka static membership); empty = derived from the host and data_dir");
  static final ConfigKey<Integer> MAX_TOKENS_LIMIT = ConfigKey.intKey("max_tokens_limit", DEFAULTS.maxTokensLimit(), 1, 1 << 20,
      "largest accepted max_tokens");
  static final ConfigKey<Integer> PREFILL_CHUNK_TOKENS = ConfigKey.intKey("prefill_chunk_tokens", DEFAULTS.prefillChunkTokens(), 1, 1 << 16,
      "prompt positions per PREFILL_CHUNK record");
  static final ConfigKey<Integer> WORKER_STALE_MS = ConfigKey.intKey("worker_stale_ms", (int) DEFAULTS.workerStaleMs(), 100, Integer.MAX_VALUE,
      "a worker without a heartbeat for this long is not routed to");
  static final ConfigKey<Integer> NO_WORKER_WAIT_MS = ConfigKey.intKey("no_worker_wait_ms", (int) DEFAULTS.noWorkerWaitMs(), 0, Integer.MAX_VALUE,
      "how long a request waits for a live worker before ERROR no_workers");
  static final ConfigKey<Integer> DEFAULT_TIMEOUT_MS = ConfigKey.intKey("default_timeout_ms", (int) DEFAULTS.defaultTimeoutMs(), 0, Integer.MAX_VALUE,
      "deadline given to requests without one; 0 = none");

  static final ConfigKey<Integer> INDEX_TTL_S = ConfigKey.intKey("index_ttl_s", (int) (DEFAULTS.indexTtlMs() / 1000), 1, Integer.MAX_VALUE,
      "cache_aware's index forgets prefix blocks unused for this many seconds");

  // cache_aware and precise (CacheAwarePolicy's block comment explains each); the lane speeds are where the
  // router starts: it then learns them from its results
  static final ConfigKey<Double> CA_EPSILON = ConfigKey.doubleKey("cache_aware_epsilon", DEFAULTS.cacheAware().epsilon(),
      0, 1e6, "load bound factor: no lane takes a request at or above (1 + epsilon) x the mean load");
  static final ConfigKey<Double> CA_HEADROOM = ConfigKey.doubleKey("cache_aware_min_headroom_requests",
      DEFAULTS.cacheAware().minHeadroomRequests(), 0, 1e6,
      "work a lane may always carry above the mean, in mean requests in flight");
  static final ConfigKey<Double> CA_PREFILL = ConfigKey.doubleKey("cache_aware_prefill_tokens_per_s",
      DEFAULTS.cacheAware().prefillTokensPerSecond(), 1e-3, 1e12, "initial prefill speed of a lane (then learned)");
  static final ConfigKey<Double> CA_DECODE_S = ConfigKey.doubleKey("cache_aware_decode_s_per_token",
      DEFAULTS.cacheAware().decodeSecondsPerToken(), 0, 1e6, "initial seconds per generated token (then learned)");
  static final ConfigKey<Double> CA_HYSTERESIS = ConfigKey.doubleKey("cache_aware_hysteresis",
      DEFAULTS.cacheAware().hysteresis(), 0, 1e6, "extra weight of the prefill a less-matching lane would redo");
  static final ConfigKey<Double> CA_REPORTED_S = ConfigKey.doubleKey("cache_aware_reported_request_s",
      DEFAULTS.cacheAware().reportedRequestSeconds(), 0, 1e6, "seconds of work one request in a heartbeat stands for");
  static final ConfigKey<Double> CA_MIN_MATCH_SHARE = ConfigKey.doubleKey("cache_aware_min_match_share",
      DEFAULTS.cacheAware().minMatchShare(), 0, 1, "least share of the prompt a lane must hold to be preferred for it");

  static final ConfigKey<Integer> METRICS_PORT = ConfigKey.intKey("metrics_port", -1, -1, 65535,
      "port of the Prometheus /metrics endpoint; -1 = none, 0 = any free port");

  static final List<ConfigKey<?>> KEYS = List.of(POLICY, MODEL, MODEL_NAME, LANES, DATA_DIR, MAX_PROMPT_TOKENS,
      MAX_PROMPT_BYTES, ROUTED_IDS_TTL_S, INSTANCE_ID, MAX_TOKENS_LIMIT, PREFILL_CHUNK_TOKENS, WORKER_STALE_MS,
      NO_WORKER_WAIT_MS, DEFAULT_TIMEOUT_MS, INDEX_TTL_S, CA_EPSILON, CA_HEADROOM, CA_PREFILL, CA_DECODE_S,
      CA_HYSTERESIS, CA_REPORTED_S, CA_MIN_MATCH_SHARE, METRICS_PORT, SharedKeys.BLOCK_SIZE);

  @Override
  public List<ConfigKey<?>> keys() {
    return KEYS;
  }

  /** The keys with a flag; the timing and cache_aware keys are the YAML file's and SLUICE_*'s alone. */
  @Override
  public List<ConfigKey<?>> flags() {
    return List.of(POLICY, MODEL, MODEL_NAME, LANES, DATA_DIR, MAX_PROMPT_TOKENS, MAX_PROMPT_BYTES, INSTANCE_ID,
        MAX_TOKENS_LIMIT, SharedKeys.BLOCK_SIZE, PREFILL_CHUNK_TOKENS, METRICS_PORT);
  }

  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  /** The model folder --model named (pulled from the hub when it was an id); set by {@link #settings()}. */
  private Path resolvedModel;

  @Override
  public Integer call() throws InterruptedException, IOException {
    RouterSettings settings = settings();
    ConfigResolver r = kafka.resolver(KEYS);
    String modelDir = resolvedModel == null ? "" : resolvedModel.toString();
    int port = r.get(METRICS_PORT);
    HTTPServer metrics = port < 0 ? null : HTTPServer.builder().port(port).buildAndStart();
    RouterService router = modelDir.isEmpty()
        ? RouterService.start(settings, kafka.bootstrapServers(), kafka.namespace(), null, kafka.clientOverrides(),
            RouterMetrics.defaultRegistry())
        : RouterService.startWithModel(settings, kafka.bootstrapServers(), kafka.namespace(), Path.of(modelDir), kafka.clientOverrides(),
            RouterMetrics.defaultRegistry());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      router.close();
      if (metrics != null) metrics.close();
      stopped.countDown();
    }, "sluice-router-stop"));
    var out = spec.commandLine().getOut();
    long startedAfterMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
    out.println("Sluice router: policy " + settings.policy() + ", model " + settings.defaultModel() + ", " + settings.lanes()
        + " lanes, Kafka " + kafka.bootstrapServers() + ", prefix " + kafka.namespace()
        + (modelDir.isEmpty() ? " (no tokenizer: requests must carry promptTokens)" : "")
        + (metrics == null ? "" : ", metrics on http://127.0.0.1:" + metrics.getPort() + "/metrics"));
    out.flush();
    if (router.awaitReady(Duration.ofSeconds(60))) {
      // how long a (re)started router took to route: the figure its failover depends on
      out.println("router ready " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
          + " ms after the JVM started (Streams started and start-up checks passed after " + startedAfterMs + " ms)");
    } else {
      spec.commandLine().getErr().println("sluice: router not ready after 60 s (state " + router.state() + ")");
    }
    out.flush();
    stopped.await();
    return 0;
  }

  RouterSettings settings() {
    ConfigResolver r = kafka.resolver(KEYS);
    String given = r.get(MODEL);
    resolvedModel = given.isEmpty() ? null : ModelReferences.resolve(given, spec.commandLine().getOut());
    String name = r.get(MODEL_NAME);
    if (name.isBlank()) name = given.isEmpty() ? ModelLocator.EMBEDDED_NAME : ModelReferences.servedName(given, resolvedModel);
    // The model's context bounds prompt + max_tokens when the model directory is known.
    int context = resolvedModel == null ? 0 : ModelConfig.read(resolvedModel).maxPositions();
    try {
      String servedName = name;
      Path dataDir = Path.of(r.get(DATA_DIR));
      return DEFAULTS.with(b -> b.servedModels(List.of(servedName)).lanes(r.get(LANES))
          .maxPromptTokens(r.get(MAX_PROMPT_TOKENS)).maxTokensLimit(r.get(MAX_TOKENS_LIMIT)).maxSequenceTokens(context)
          .defaultTimeoutMs(r.get(DEFAULT_TIMEOUT_MS)).prefillChunkTokens(r.get(PREFILL_CHUNK_TOKENS))
          .blockSize(r.get(SharedKeys.BLOCK_SIZE)).policy(r.get(POLICY))
          .cacheAware(new CacheAwareParams(r.get(CA_EPSILON), r.get(CA_HEADROOM), r.get(CA_PREFILL), r.get(CA_DECODE_S),
              r.get(CA_HYSTERESIS), r.get(CA_REPORTED_S), r.get(CA_MIN_MATCH_SHARE)))
          .workerStaleMs(r.get(WORKER_STALE_MS)).noWorkerWaitMs(r.get(NO_WORKER_WAIT_MS)).indexTtlMs(r.get(INDEX_TTL_S) * 1000L)
          .dataDir(dataDir).maxPromptBytes(r.get(MAX_PROMPT_BYTES)).routedIdsTtlMs(r.get(ROUTED_IDS_TTL_S) * 1000L)
          .instanceId(r.get(INSTANCE_ID).isEmpty() ? derivedInstanceId(dataDir) : r.get(INSTANCE_ID)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * router-HOST-HASH, HASH from the absolute data directory: the same for a router restarted on the
   * same host with the same state (so static membership hands it its tasks back), different for two
   * routers on one host (which need their own state directories anyway).
   */
  static String derivedInstanceId(Path dataDir) {
    String host = System.getenv().getOrDefault("HOSTNAME", "");
    if (host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
    }
    String dir = dataDir.toAbsolutePath().normalize().toString();
    String hash = String.format("%08x", dir.hashCode());
    String id = "router-" + host.replaceAll("[^a-zA-Z0-9._-]", "_") + "-" + hash;
    return id.length() > 200 ? id.substring(0, 200) : id;
  }
}
