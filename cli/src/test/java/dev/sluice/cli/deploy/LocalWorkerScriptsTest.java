package dev.sluice.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.cli.Sluice;
import dev.sluice.embedded.ModelLocator;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.RandomModel;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ops/scripts/start-workers.sh 0 LAYERS 2} starts two worker processes of one stage that join its
 * group (both listed by {@code sluice workers}) and serve /metrics with every series at zero;
 * {@code stop-workers.sh} drains them and they exit.
 */
@ExtendWith(SharedKafkaExtension.class)
class LocalWorkerScriptsTest {

  @Test
  void shouldStartTwoWorkersOfAStageAsSeparateProcessesAndDrainThem(@TempDir Path dir) throws Exception {
    Path bash = DeploymentFiles.onPath("bash");
    assumeTrue(bash != null, "bash is not on the PATH");
    Path model = ModelLocator.embeddedModel();
    if (model == null) {
      model = dir.resolve("model");
      RandomModel.write(RandomModel.PRESETS.get("tiny-llama"), model, 42L, line -> {});
    }
    int layers = ModelConfig.read(model).numLayers();
    String namespace = SharedKafkaExtension.uniquePrefix("scripts");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(4));
    }
    int portBase = freePortPair();
    Path runDir = dir.resolve("run");
    Map<String, String> env = Map.of("SLUICE", javaCommand(), "SLUICE_RUN_DIR", runDir.toString(),
        "SLUICE_MODEL", model.toString(), "SLUICE_METRICS_PORT_BASE", String.valueOf(portBase));
    Path scripts = DeploymentFiles.ROOT.resolve("ops/scripts");
    try {
      var started = DeploymentFiles.run(dir, List.of(bash.toString(), scripts.resolve("start-workers.sh").toString(), "0",
          "0-" + (layers - 1), "2", "--bootstrap-servers", bootstrap, "--prefix", namespace, "--kv-cache-mb", "16"), env);
      assertThat(started.exit()).as(started.output()).isZero();
      assertThat(started.output()).contains("-stage0-w0", "-stage0-w1");

      HttpClient http = HttpClient.newHttpClient();
      Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        StringWriter listed = new StringWriter();
        picocli.CommandLine cmd = Sluice.commandLine();
        cmd.setOut(new PrintWriter(listed, true));
        cmd.execute("workers", "--bootstrap-servers", bootstrap, "--prefix", namespace);
        return listed.toString().contains("-stage0-w0") && listed.toString().contains("-stage0-w1");
      });
      for (int i = 0; i < 2; i++) {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (portBase + i) + "/metrics"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).as("worker %d's /metrics, before any request", i)
            .containsPattern("sluice_worker_kv_evictions_total\\{stage=\"0\",worker=\"[^\"]*-stage0-w" + i + "\"} 0")
            .containsPattern("sluice_worker_recomputes_total\\{stage=\"0\",worker=\"[^\"]*-stage0-w" + i + "\"} 0");
      }
    } finally {
      var stopped = DeploymentFiles.run(dir, List.of(bash.toString(), scripts.resolve("stop-workers.sh").toString()), env);
      assertThat(stopped.exit()).as(stopped.output()).isZero();
      assertThat(stopped.output()).contains("stopping").doesNotContain("still runs");
    }
    try (var pids = Files.list(runDir.resolve("pids"))) {
      assertThat(pids).as("pid files left").isEmpty();
    }
    List<String> logs = new ArrayList<>();
    try (var files = Files.list(runDir.resolve("logs"))) {
      for (Path log : files.toList()) logs.add(Files.readString(log));
    }
    assertThat(logs).hasSize(2).allMatch(l -> l.contains("draining worker"), "each worker drained on SIGTERM");
  }

  /** `java <this JVM's flags> -cp <this classpath> dev.sluice.cli.Sluice`, as the script's SLUICE command. */
  private static String javaCommand() {
    List<String> parts = new ArrayList<>();
    parts.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-D")) parts.add(arg);
    }
    parts.add("-Xmx512m");
    parts.add("-cp");
    parts.add(System.getProperty("java.class.path"));
    parts.add(Sluice.class.getName());
    for (String p : parts) {
      if (p.contains(" ")) throw new IllegalStateException("cannot pass an argument with a space to the script: " + p);
    }
    return String.join(" ", parts);
  }

  /** A port p such that p and p + 1 are free now. */
  private static int freePortPair() throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      int p;
      try (ServerSocket s = new ServerSocket(0)) {
        p = s.getLocalPort();
      }
      if (p >= 65535) continue;
      try (ServerSocket a = new ServerSocket(p); ServerSocket b = new ServerSocket(p + 1)) {
        return p;
      } catch (java.io.IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no two adjacent free ports");
  }
}
