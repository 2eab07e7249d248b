package dev.sluice.bench.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.cluster.ClusterView;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: {@code GET /} is a self-contained page (inline CSS and JS, no external URL)
 * that polls {@code GET /api/snapshot} every second; the snapshot is sampled from Kafka once a second
 * in the background, so any number of open pages cost the cluster nothing extra.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClusterView directory;
  private final Admin admin;
  private final ClusterSampler sampler;
  private final ScheduledExecutorService sampling;
  private final AtomicReference<ClusterSnapshot> latest = new AtomicReference<>();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final String page;
  private final Javalin app;

  private DashboardServer(String host, int port, String bootstrapServers, String namespace, Map<String, Object> kafkaOverrides) {
    this.page = loadPage();
    Map<String, Object> clientProps = new HashMap<>(kafkaOverrides);
    clientProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    this.directory = ClusterView.read(clientProps, namespace + "-dashboard-workers", new SluiceTopics(namespace),
        ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER);
    Map<String, Object> adminProps = new HashMap<>(kafkaOverrides);
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    adminProps.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    adminProps.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    this.admin = Admin.create(adminProps);
    this.sampler = new ClusterSampler(namespace, () -> directory.snapshot().workers(), new KafkaOffsets(admin));
    this.sampling = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-dashboard-sampler");
      t.setDaemon(true);
      return t;
    });
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jetty.defaultHost = host;
    });
    app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
    app.get("/api/snapshot", this::snapshot);
    try {
      app.start(port);
    } catch (RuntimeException e) {
      closeKafka();
      throw new IllegalStateException("cannot start the dashboard on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    sampling.scheduleWithFixedDelay(this::sampleOnce, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    log.info("Sluice dashboard on http://{}:{}/ (prefix {}, Kafka {})", host, app.port(), namespace, bootstrapServers);
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free one) for the pipeline with topic prefix
   * {@code prefix}; {@code kafkaOverrides} are Kafka client properties (SASL, TLS…) for every client.
   */
  public static DashboardServer start(String host, int port, String bootstrapServers, String namespace,
      Map<String, Object> kafkaOverrides) {
    return new DashboardServer(host, port, bootstrapServers, namespace, kafkaOverrides);
  }

  /** The bound HTTP port (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The latest sample, or null before the first one succeeded. */
  public ClusterSnapshot latest() {
    return latest.get();
  }

  private void sampleOnce() {
    try {
      latest.set(sampler.sample(System.currentTimeMillis()));
      if (lastError.getAndSet(null) != null) log.info("reading the cluster again");
    } catch (RuntimeException e) {
      // Keep serving the last good snapshot; say once why it is getting old.
      String message = String.valueOf(e.getMessage());
      if (!message.equals(lastError.getAndSet(message))) log.warn("cannot sample the cluster: {}", message);
    }
  }

  private void snapshot(Context ctx) throws IOException {
    ClusterSnapshot snapshot = latest.get();
    ctx.header("Cache-Control", "no-store");
    if (snapshot == null) {
      String why = lastError.get() == null ? "first sample not taken yet" : lastError.get();
      ctx.status(503).contentType("application/json").result(JSON.writeValueAsString(Map.of("error", why)));
      return;
    }
    ctx.contentType("application/json").result(JSON.writeValueAsString(snapshot));
  }

  private static String loadPage() {
    try (InputStream in = DashboardServer.class.getResourceAsStream("dashboard.html")) {
      if (in == null) throw new IllegalStateException("dashboard.html is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void closeKafka() {
    directory.close();
    admin.close(Duration.ofSeconds(2));
  }

  @Override
  public void close() {
    app.stop();
    sampling.shutdownNow();
    try {
      sampling.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeKafka();
  }
}
