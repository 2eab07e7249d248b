package dev.sluice.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.embedded.process.RoleProcess;
import dev.sluice.model.ModelConfig;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The multi-process deployment under test: a broker (a child JVM running {@code sluice broker}, unless an
 * external one is given), the router, two workers per stage for two stages and two ingress instances, each
 * a child JVM running the real {@code sluice} role. The fault passes kill, stop and restart its parts.
 */
final class Deployment implements AutoCloseable {
  static final int STAGES = 2;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  /** Where it runs: work directory, model, an external broker (null = start one), topic prefix, lanes. */
  record Spec(Path workDir, Path model, String externalBootstrap, String namespace, int lanes) {}

  private final Spec spec;
  private final PrintWriter progress;
  private final String[] layers;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, RoleProcess> workers = new LinkedHashMap<>();
  private final Map<String, Integer> workerStage = new LinkedHashMap<>();
  private final RoleProcess[] ingress = new RoleProcess[2];
  private final int kafkaPort;
  private final String bootstrap;
  private RoleProcess broker;
  private RoleProcess router;
  private int addedWorkers;
  /** Kills the children when this JVM exits without {@link #close()} (Ctrl-C, a test JVM ending). */
  private final Thread stopOnExit = new Thread(this::killAll, "chaos-deployment-stop");

  Deployment(Spec spec, PrintWriter progress) {
    this.spec = spec;
    this.progress = progress;
    int n = ModelConfig.read(spec.model()).numLayers();
    int split = (n + 1) / 2;
    this.layers = new String[] {"0-" + (split - 1), split + "-" + (n - 1)};
    this.kafkaPort = spec.externalBootstrap() == null ? freePort() : -1;
    this.bootstrap = spec.externalBootstrap() == null ? "127.0.0.1:" + kafkaPort : spec.externalBootstrap();
  }

  /**
   * Starts every role and returns once the ingress instances answer /health 200 with every worker healthy;
   * when that fails, every role started so far is stopped before the exception leaves.
   */
  Deployment start() {
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      progress.println("  starting " + (ownsBroker() ? "the broker on port " + kafkaPort + ", " : "") + "the router, "
          + "workers s0-a, s0-b (layers " + layers[0] + "), s1-a, s1-b (layers " + layers[1] + ") and 2 ingress instances ...");
      progress.flush();
      if (ownsBroker()) startBroker();
      try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
        admin.create(TopicLayout.defaults().withNamespace(spec.namespace()).withStages(STAGES).withLanes(spec.lanes()));
      }
      startRouter();
      for (int stage = 0; stage < STAGES; stage++) {
        for (String suffix : new String[] {"a", "b"}) startWorker("s" + stage + "-" + suffix, stage);
      }
      // the ingress instances start once the router is ready and the workers run: started together with the
      // five other JVMs on a loaded 2-core machine, an ingress's worker directory hit a metadata timeout and
      // stopped for good (WorkerDirectory does not retry it), so that ingress never became ready
      await("the router", this::routerReady, router);
      for (RoleProcess w : workers.values()) await(w.name(), () -> w.output().contains(w.name() + ":"), w);
      startIngress(0);
      startIngress(1);
      awaitReady();
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  boolean ownsBroker() {
    return spec.externalBootstrap() == null;
  }

  String bootstrapServers() {
    return bootstrap;
  }

  String namespace() {
    return spec.namespace();
  }

  /** The first running worker of {@code stage}. */
  String workerOf(int stage) {
    return workers.entrySet().stream().filter(e -> workerStage.get(e.getKey()) == stage && e.getValue().isAlive())
        .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new IllegalStateException("no live worker in stage " + stage));
  }

  int lastStage() {
    return STAGES - 1;
  }

  void startWorker(String id, int stage) {
    workerStage.put(id, stage);
    Path dir = spec.workDir().resolve("workers").resolve(id);
    workers.put(id, RoleProcess.start("worker " + id, spec.workDir().resolve("logs").resolve(id + ".log"), "512m",
        List.of("worker", "--worker-id", id, "--data-dir", dir.toString(), "--stage", String.valueOf(stage),
            "--layers", layers[stage], "--model", spec.model().toString(), "--bootstrap-servers", bootstrap,
            "--prefix", spec.namespace(), "--kv-cache-mb", "64")));
  }

  /** A new worker id in {@code stage}, started. */
  String addWorker(int stage) {
    String id = "s" + stage + "-added" + (++addedWorkers);
    startWorker(id, stage);
    return id;
  }

  void killWorker(String id) {
    workers.get(id).kill();
  }

  void terminateWorker(String id) {
    workers.get(id).terminate(60);
  }

  /** Restarts a dead worker with its id and data directory, as a supervisor would. */
  void restartWorker(String id) {
    startWorker(id, workerStage.get(id));
  }

  /** Workers running now. */
  List<String> liveWorkers() {
    return workers.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
  }

  RoleProcess startRouter() {
    router = RoleProcess.start("router", spec.workDir().resolve("logs").resolve("router.log"), "384m",
        List.of("router", "--model", spec.model().toString(), "--bootstrap-servers", bootstrap, "--prefix", spec.namespace(),
            "--lanes", String.valueOf(spec.lanes()), "--data-dir", spec.workDir().resolve("router").toString()));
    return router;
  }

  void killRouter() {
    router.kill();
  }

  boolean routerReady() {
    return router.isAlive() && router.output().contains("router ready");
  }

  void startIngress(int i) {
    ingress[i] = RoleProcess.start("ingress " + i, spec.workDir().resolve("logs").resolve("ingress-" + i + ".log"), "256m",
        List.of("ingress", "--port", "0", "--host", "127.0.0.1", "--bootstrap-servers", bootstrap, "--prefix", spec.namespace()));
  }

  void killIngress(int i) {
    ingress[i].kill();
  }

  /** The base URIs of the ingress instances that run and printed their port (index 0 first). */
  List<URI> ingressUris() {
    List<URI> out = new ArrayList<>();
    for (RoleProcess p : ingress) {
      int port = p == null || !p.isAlive() ? -1 : p.ingressPort();
      if (port > 0) out.add(URI.create("http://127.0.0.1:" + port));
    }
    return out;
  }

  /** Stops the broker with SIGTERM and starts it again on the same port and data directory. */
  void restartBroker() {
    if (!ownsBroker()) throw new IllegalStateException("the broker is external: it cannot be restarted here");
    broker.terminate(120);
    startBroker();
  }

  private void startBroker() {
    broker = RoleProcess.start("broker", spec.workDir().resolve("logs").resolve("broker.log"), "768m",
        List.of("broker", "--data-dir", spec.workDir().resolve("kafka").toString(), "--kafka-port", String.valueOf(kafkaPort)));
    await("the broker", () -> broker.output().contains("Kafka broker ready at"), broker);
  }

  /** Waits until the router is ready and every ingress answers /health 200 and lists every running worker healthy. */
  void awaitReady() {
    await("the router", this::routerReady, router);
    for (RoleProcess p : ingress) {
      if (p != null && p.isAlive()) await(p.name(), () -> p.ingressPort() > 0 && healthy(p.ingressPort()), p);
    }
  }

  private boolean healthy(int port) {
    try {
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (health.statusCode() != 200) return false;
      HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/workers"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode listed = JSON.readTree(list.body()).path("workers");
      for (String id : liveWorkers()) {
        boolean found = false;
        for (JsonNode w : listed) {
          if (id.equals(w.path("worker_id").asText()) && "healthy".equals(w.path("health").asText())) found = true;
        }
        if (!found) return false;
      }
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until {@code ready} holds; throws when {@code process} exits first or it is not ready in time. */
  private void await(String what, BooleanSupplier ready, RoleProcess process) {
    if (!process.awaitUntil(ready, READY_TIMEOUT)) {
      throw new IllegalStateException(what + " not ready after " + READY_TIMEOUT.toSeconds() + " s (running: "
          + liveWorkers() + "); " + process.logTail());
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ingress, router and workers killed; the broker stopped with SIGTERM (it keeps nothing worth a drain). */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: the hook runs anyway
    }
  }

  private synchronized void killAll() {
    for (RoleProcess p : ingress) if (p != null) p.close();
    if (router != null) router.close();
    workers.values().forEach(RoleProcess::close);
    if (broker != null && broker.isAlive()) broker.terminate(120);
  }
}
