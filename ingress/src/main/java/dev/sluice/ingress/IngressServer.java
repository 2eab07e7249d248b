package dev.sluice.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ingress.admission.KeyLimits;
import dev.sluice.ingress.admission.PipelineAdmission;
import dev.sluice.ingress.auth.ApiKeys;
import dev.sluice.ingress.http.DisconnectWatch;
import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.OpenAiJson;
import dev.sluice.ingress.workers.ClusterMetrics;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.results.client.SluiceClientSettings;
import dev.sluice.results.replay.ResultsReplay;
import dev.sluice.results.KafkaSettings;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.GroupIds;
import dev.sluice.topics.cluster.ClusterView;
import dev.sluice.topics.cluster.KnownWorker;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible HTTP ingress on Javalin: {@code POST /v1/completions},
 * {@code POST /v1/chat/completions} (stream false/true), {@code POST /v1/requests/{id}/cancel},
 * {@code GET /v1/requests/{id}/stream} (resume), {@code GET /v1/models}, {@code GET /workers},
 * {@code GET /health}, {@code GET /metrics}.
 *
 * <p>Each instance is a {@link SluiceClient}: a member of the {@code <prefix>.ingress} group on the
 * results topic, so it receives only the results of the requests it submitted (their reply
 * partitions are its own). More instances behind a load balancer split the results partitions.
 */
public final class IngressServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IngressServer.class);
  /** The client waits a little past the deadline so the pipeline's own deadline_exceeded can arrive first. */
  static final Duration DEADLINE_GRACE = Duration.ofSeconds(2);
  /** The response header that names the request (for POST /v1/requests/ID/cancel and resuming a stream). */
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  /** The context attribute holding the caller's API key ({@link KeyLimits#ANONYMOUS} without keys). */
  static final String API_KEY_ATTRIBUTE = "sluice.api-key";

  private final java.util.Map<String, java.util.function.BooleanSupplier> readinessChecks = new java.util.concurrent.ConcurrentHashMap<>();
  private final IngressSettings settings;
  private final SluiceClient client;
  private final ClusterView workers;
  private final ClusterMetrics clusterMetrics;
  private final PrometheusRegistry registry;
  private final PipelineAdmission admission;
  private final ApiKeys apiKeys;
  private final DisconnectWatch disconnects = new DisconnectWatch();
  private final ExecutorService writers;
  private final Javalin app;

  private IngressServer(IngressSettings settings, String bootstrapServers, String namespace, PrometheusRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    SluiceClientSettings clientSettings = new SluiceClientSettings(bootstrapServers, namespace, new GroupIds(namespace).ingress(),
        settings.requestTimeout().plus(DEADLINE_GRACE), settings.kafkaOverrides());
    this.client = new SluiceClient(clientSettings);
    this.workers = ClusterView.read(KafkaSettings.consumer(bootstrapServers, null, settings.kafkaOverrides()),
        namespace + "-ingress-workers-" + java.util.UUID.randomUUID().toString().substring(0, 8), new SluiceTopics(namespace),
        ClusterView.DEFAULT_STALE_AFTER, settings.workerForgetAfter());
    IngressMetrics metrics = IngressMetrics.in(registry);
    this.clusterMetrics = new ClusterMetrics(bootstrapServers, namespace, settings.kafkaOverrides(), workers,
        metrics.clusterWorkers, metrics.stageLag, metrics.dlqRecords);
    this.admission = new PipelineAdmission(workers, clusterMetrics, settings.maxQueuedPerStage());
    this.writers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sluice-ingress-sse-writer");
      t.setDaemon(true);
      return t;
    });
    this.apiKeys = new ApiKeys(settings.apiKeys());
    Submitter submitter = new Submitter(settings, client);
    GenerationHandler generation = new GenerationHandler(settings, submitter, admission,
        new KeyLimits(settings.requestsPerSecondPerKey(), settings.tokensPerMinutePerKey()), disconnects, writers, metrics,
        this::servedModels);
    RequestEndpoints requests = new RequestEndpoints(settings, submitter,
        new ResultsReplay(bootstrapServers, namespace, settings.kafkaOverrides()), disconnects, writers, metrics);
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      // Waiting requests are asynchronous; Jetty's own limit must not end them before their deadline.
      config.http.asyncTimeout = settings.requestTimeout().plus(DEADLINE_GRACE).plusSeconds(10).toMillis();
      config.http.disableCompression(); // compression would buffer server-sent events
      config.http.maxRequestSize = settings.maxBodyBytes();
      config.jetty.defaultHost = settings.host();
    });
    app.before("/v1/*", this::authenticate);
    app.before("/workers", this::authenticate);
    app.post("/v1/completions", ctx -> generation.handle(ctx, false));
    app.post("/v1/chat/completions", ctx -> generation.handle(ctx, true));
    app.post("/v1/requests/{id}/cancel", requests::cancel);
    app.get("/v1/requests/{id}/stream", requests::resume);
    app.get("/v1/models", this::models);
    app.get("/workers", this::workers);
    app.get("/health", this::health);
    app.get("/metrics", this::metrics);
    app.exception(ApiError.class, (e, ctx) -> writeError(ctx, e));
    app.exception(HttpResponseException.class, (e, ctx) -> writeError(ctx, fromHttp(e)));
    app.exception(Exception.class, (e, ctx) -> {
      log.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
      writeError(ctx, new ApiError(500, "server_error", "internal", null, "internal error: " + e.getMessage()));
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) writeError(ctx, new ApiError(404, "invalid_request_error", "not_found", null, "no route " + ctx.method() + " " + ctx.path()));
    });
    try {
      app.start(settings.port());
    } catch (RuntimeException e) {
      disconnects.close();
      writers.shutdownNow();
      client.close();
      clusterMetrics.close();
      workers.close();
      throw new IllegalStateException("cannot start the ingress on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
    log.info("Sluice ingress listening on http://{}:{} (model {})", settings.host(), app.port(), settings.modelName());
  }

  /** Starts the ingress with metrics in {@link PrometheusRegistry#defaultRegistry}. */
  public static IngressServer start(IngressSettings settings, String bootstrapServers, String namespace) {
    JvmMetrics.builder().register(); // once per JVM on the default registry; later calls do nothing
    return start(settings, bootstrapServers, namespace, PrometheusRegistry.defaultRegistry);
  }

  /** Starts the ingress with its metrics in {@code registry} (tests pass their own). */
  public static IngressServer start(IngressSettings settings, String bootstrapServers, String namespace, PrometheusRegistry registry) {
    return new IngressServer(settings, bootstrapServers, namespace, registry);
  }

  /** The bound HTTP port (useful with port 0). */
  public int port() {
    return app.port();
  }

  /**
   * Adds a check that {@code /health} and {@link #isReady()} include, e.g. {@code sluice up}'s
   * "every worker and the router are ready" so that /health answers 200 only for the whole pipeline.
   */
  public void addReadinessCheck(String name, java.util.function.BooleanSupplier check) {
    readinessChecks.put(name, check);
  }

  /**
   * Ready once the results consumer owns a reply partition, the worker list is caught up, every
   * stage has a live worker and every added check passes.
   */
  public boolean isReady() {
    if (!client.isReady() || !workers.isReady() || !admission.stagesWithoutWorkers().isEmpty()) return false;
    for (var check : readinessChecks.values()) if (!check.getAsBoolean()) return false;
    return true;
  }

  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (!isReady()) {
      if (System.nanoTime() > until) return false;
      Thread.sleep(50);
    }
    return true;
  }

  /** Checks the API key (in constant time) and leaves it in the context for the per-key limits. */
  private void authenticate(Context ctx) {
    if (!apiKeys.required()) {
      ctx.attribute(API_KEY_ATTRIBUTE, KeyLimits.ANONYMOUS);
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw new ApiError(401, "invalid_request_error", "invalid_api_key", null,
          "missing API key: send 'Authorization: Bearer <key>'");
    }
    String key = apiKeys.match(header.substring("Bearer ".length()).trim());
    if (key == null) {
      throw new ApiError(401, "invalid_request_error", "invalid_api_key", null, "incorrect API key");
    }
    ctx.attribute(API_KEY_ATTRIBUTE, key);
  }

  /** The configured model, plus any other model that live workers report. */
  Set<String> servedModels() {
    Set<String> models = new LinkedHashSet<>();
    models.add(settings.modelName());
    models.addAll(workers.snapshot().liveModels());
    return models;
  }

  private void models(Context ctx) {
    ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String model : servedModels()) {
      data.addObject().put("id", model).put("object", "model").put("created", 0).put("owned_by", "sluice");
    }
    ctx.contentType("application/json").result(root.toString());
  }

  private void workers(Context ctx) {
    ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
    ArrayNode list = root.putArray("workers");
    for (KnownWorker view : workers.snapshot().workers()) {
      WorkerStatus s = view.status();
      ObjectNode w = list.addObject();
      w.put("worker_id", s.getWorkerId());
      w.put("host", s.getHost());
      w.put("model", s.getModel());
      w.put("stage", s.getStage());
      w.put("layers", s.getLayerStart() + "-" + (s.getLayerEnd() - 1)); // inclusive, as on the command line
      ArrayNode lanes = w.putArray("lanes");
      s.getLanes().forEach(lanes::add);
      w.put("state", s.getState().name());
      w.put("health", view.health());
      ObjectNode load = w.putObject("load");
      load.put("queue_depth", s.getQueueDepth());
      load.put("active_sequences", s.getActiveSequences());
      ObjectNode cache = w.putObject("cache");
      cache.put("blocks_used", s.getKvBlocksUsed());
      cache.put("blocks_capacity", s.getKvBlocksCapacity());
      cache.put("hits", s.getKvHits());
      cache.put("misses", s.getKvMisses());
      cache.put("evictions", s.getKvEvictions());
      long lookups = s.getKvHits() + s.getKvMisses();
      cache.put("block_hit_rate", lookups == 0 ? 0.0 : (double) s.getKvHits() / lookups);
      w.put("tokens_processed", s.getTokensProcessed());
      w.put("requests_served", s.getRequestsServed());
      w.put("last_heartbeat_ms", s.getTimestampMs());
    }
    ctx.contentType("application/json").result(root.toString());
  }

  private void health(Context ctx) {
    ObjectNode root = OpenAiJson.MAPPER.createObjectNode();
    boolean ready = isReady();
    java.util.Set<Integer> withoutWorkers = admission.stagesWithoutWorkers();
    root.put("status", ready ? "ok" : !withoutWorkers.isEmpty() ? "no_workers" : "starting");
    ArrayNode missing = root.putArray("stages_without_workers");
    withoutWorkers.forEach(missing::add);
    ObjectNode queued = root.putObject("queued_by_stage");
    admission.queuedByStage().forEach((stage, n) -> queued.put(String.valueOf(stage), n));
    root.put("results_consumer_assigned", client.isReady());
    ArrayNode partitions = root.putArray("reply_partitions");
    client.replyPartitions().forEach(partitions::add);
    root.put("workers_view_ready", workers.isReady());
    readinessChecks.forEach((name, check) -> root.put(name + "_ready", check.getAsBoolean()));
    root.put("live_workers", workers.snapshot().heardRecently());
    root.put("in_flight", client.inFlight());
    ctx.status(ready ? 200 : 503).contentType("application/json").result(root.toString());
  }

  private void metrics(Context ctx) throws IOException {
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, registry.scrape());
    ctx.contentType(writer.getContentType()).result(out.toString(StandardCharsets.UTF_8));
  }

  static void writeError(Context ctx, ApiError e) {
    if (e.retryAfterSeconds() != null) ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
    ctx.status(e.status()).contentType("application/json").result(OpenAiJson.error(e).toString());
  }

  private static ApiError fromHttp(HttpResponseException e) {
    int status = e.getStatus();
    if (status == 413) {
      return new ApiError(413, "invalid_request_error", "too_large", null, "request body too large");
    }
    return new ApiError(status, status >= 500 ? "server_error" : "invalid_request_error", null, null, e.getMessage());
  }

  /** Stops HTTP first, then the Kafka clients (waiting requests fail). */
  @Override
  public void close() {
    app.stop();
    disconnects.close();
    writers.shutdownNow();
    client.close();
    clusterMetrics.close();
    workers.close();
  }
}
