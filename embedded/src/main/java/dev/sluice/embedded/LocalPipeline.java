package dev.sluice.embedded;

import dev.sluice.ingress.IngressServer;
import dev.sluice.ingress.IngressSettings;
import dev.sluice.ingress.chat.ChatTemplates;
import dev.sluice.kafka.local.LocalKafka;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.plan.StagePlanner;
import dev.sluice.router.RouterService;
import dev.sluice.router.RouterSettings;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import dev.sluice.worker.StageWorker;
import dev.sluice.worker.WorkerSettings;
import dev.sluice.worker.metrics.WorkerMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every role of Sluice in one process: the embedded broker (unless a cluster is given), the topics,
 * the router, W workers for each of S stages, and the ingress. Used by {@code sluice up},
 * {@code sluice demo} and the end-to-end tests.
 */
public final class LocalPipeline implements AutoCloseable {
  private final PipelineSpec spec;
  private final Consumer<String> progress;
  private LocalKafka broker;
  private String bootstrapServers;
  private Path modelDir;
  private String modelName;
  private final List<RouterService> routers = new ArrayList<>();
  private final List<StageWorker> workers = new ArrayList<>();
  private IngressServer ingress;

  private LocalPipeline(PipelineSpec spec, Consumer<String> progress) {
    this.spec = spec;
    this.progress = progress;
  }

  /** Starts everything and waits until every role is ready (or fails). */
  public static LocalPipeline start(PipelineSpec spec, Consumer<String> progress, Duration readyTimeout)
      throws InterruptedException {
    LocalPipeline p = new LocalPipeline(spec, progress);
    try {
      p.startAll(readyTimeout);
      return p;
    } catch (RuntimeException | InterruptedException | Error e) {
      p.close();
      throw e;
    }
  }

  private void startAll(Duration readyTimeout) throws InterruptedException {
    long t0 = System.nanoTime();
    if (spec.bootstrapServers() == null) {
      progress.accept("Starting the embedded Kafka broker (data in " + spec.dataDir().resolve("kafka") + ")...");
      broker = new LocalKafka(spec.dataDir().resolve("kafka"), spec.kafkaPort()).start();
      bootstrapServers = broker.bootstrapServers();
      progress.accept("Kafka broker ready at " + bootstrapServers);
    } else {
      bootstrapServers = spec.bootstrapServers();
      progress.accept("Using the Kafka cluster at " + bootstrapServers);
    }

    modelDir = ModelLocator.resolve(spec.modelDir(), progress);
    modelName = modelDir.getFileName().toString();
    ModelConfig config = ModelConfig.read(modelDir);
    if (spec.stages() > config.numLayers()) {
      throw new IllegalArgumentException("--stages " + spec.stages() + " exceeds the model's " + config.numLayers() + " layers");
    }
    progress.accept("Model " + modelName + " (" + config.numLayers() + " layers, hidden " + config.hiddenSize() + ") from " + modelDir);

    TopicLayout layout = TopicLayout.defaults().withNamespace(spec.namespace()).withStages(spec.stages()).withLanes(spec.lanes());
    try (TopicAdmin admin = TopicAdmin.connect(bootstrapServers)) {
      var created = admin.create(layout);
      List<String> problems = admin.verify(layout);
      if (!problems.isEmpty()) throw new IllegalStateException("topic layout problems: " + String.join("; ", problems));
      progress.accept("Topics ready: " + created.created().size() + " created, " + created.existing().size()
          + " existing (" + spec.stages() + " stages x " + spec.lanes() + " lanes)");
    }

    List<LayerRange> ranges = StagePlanner.balanced(config, spec.stages()); // equal compute per stage, LM head included
    for (int stage = 0; stage < spec.stages(); stage++) {
      for (int w = 0; w < spec.workersPerStage(); w++) {
        String id = spec.namespace() + "-stage" + stage + "-w" + w;
        WorkerSettings ws = WorkerSettings.of(stage, ranges.get(stage), modelDir, bootstrapServers, spec.namespace())
            .withWorkerId(id)
            .withDataDir(spec.dataDir().resolve("workers").resolve(id))
            .withThreads(1);
        progress.accept("Starting worker " + id + " (stage " + stage + ", layers " + ranges.get(stage) + ")");
        WorkerMetrics.in(PrometheusRegistry.defaultRegistry).startAtZero(id, stage); // 0, not "no data"
        workers.add(StageWorker.start(ws));
      }
    }

    for (int i = 0; i < spec.routers(); i++) {
      progress.accept("Starting the router" + (spec.routers() > 1 ? " " + i : "") + " (policy " + spec.policy() + ")");
      routers.add(RouterService.start(routerSettings(i), bootstrapServers, spec.namespace(), modelDir));
    }

    ingress = IngressServer.start(IngressSettings.forModel(modelName).withPort(spec.port())
        .withChatTemplate(ChatTemplates.choose("auto", modelDir, progress))
        .withSamplingDefaults(ModelSamplingDefaults.of(modelDir)), bootstrapServers, spec.namespace());
    ingress.addReadinessCheck("pipeline", this::rolesReady);
    progress.accept("Ingress listening on port " + ingress.port());

    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (!isReady()) {
      for (StageWorker w : workers) {
        if (w.failure() != null) throw new IllegalStateException("worker " + w.workerId() + " failed", w.failure());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not ready after " + readyTimeout.toSeconds() + " s: " + readiness());
      }
      Thread.sleep(100);
    }
    progress.accept(String.format("All roles ready in %.1f s", (System.nanoTime() - t0) / 1e9));
  }

  /** Router {@code i}: its own state directory, so its own static-membership instance id. */
  private RouterSettings routerSettings(int i) {
    return RouterSettings.defaults(modelName).withPolicy(spec.policy()).withLanes(spec.lanes())
        .withDataDir(spec.dataDir().resolve(i == 0 ? "router" : "router-" + i));
  }

  /**
   * Stops router {@code i} (a clean close) and starts it again on the same state directory, as a
   * supervisor restarts a router; returns once the new one routes (Streams RUNNING).
   */
  public void restartRouter(int i, Duration readyTimeout) throws InterruptedException {
    routers.get(i).close();
    RouterService again = RouterService.start(routerSettings(i), bootstrapServers, spec.namespace(), modelDir);
    routers.set(i, again);
    if (!again.awaitReady(readyTimeout)) {
      throw new IllegalStateException("router " + i + " not ready " + readyTimeout.toSeconds() + " s after its restart");
    }
  }

  /** True once every role is ready; the same condition makes the ingress's /health answer 200. */
  public boolean isReady() {
    return ingress != null && ingress.isReady();
  }

  private boolean rolesReady() {
    if (routers.isEmpty() || !routers.stream().allMatch(RouterService::isReady)) return false;
    for (StageWorker w : workers) if (!w.isReady()) return false;
    return true;
  }

  /** Which roles are not ready yet, for error messages and /health. */
  public String readiness() {
    List<String> waiting = new ArrayList<>();
    for (StageWorker w : workers) if (!w.isReady()) waiting.add("worker " + w.workerId());
    for (int i = 0; i < routers.size(); i++) if (!routers.get(i).isReady()) waiting.add("router " + i);
    if (routers.isEmpty()) waiting.add("router");
    if (ingress == null || !ingress.isReady()) waiting.add("ingress");
    return waiting.isEmpty() ? "ready" : "waiting for " + String.join(", ", waiting);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public int port() {
    return ingress.port();
  }

  public String modelName() {
    return modelName;
  }

  public Path modelDir() {
    return modelDir;
  }

  public List<StageWorker> workers() {
    return List.copyOf(workers);
  }

  @Override
  public void close() {
    // Front to back: stop taking requests, then drain the workers, then the broker.
    closeQuietly(ingress);
    for (RouterService r : routers) closeQuietly(r);
    for (StageWorker w : workers) closeQuietly(w);
    closeQuietly(broker);
  }

  private void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception e) {
      progress.accept("while stopping: " + e);
    }
  }
}
