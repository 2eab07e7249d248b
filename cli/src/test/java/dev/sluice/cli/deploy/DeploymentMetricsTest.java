package dev.sluice.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.testing.SharedKafkaExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard and the alerts read is on a freshly started pipeline's
 * {@code /metrics}, before any request: counters and histograms with known labels start at 0 (a panel
 * shows 0, not "No data"; {@code rate()} in an alert starts from a real zero), and every exact label
 * value the expressions select exists (e.g. {@code sluice_cluster_workers{health="stale"}}).
 */
@ExtendWith(SharedKafkaExtension.class)
class DeploymentMetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");

  @Test
  void shouldExposeEveryMetricOfTheDashboardAndTheAlertsBeforeTheFirstRequest(@TempDir Path dir) throws Exception {
    Map<String, Set<Map<String, String>>> wanted = new LinkedHashMap<>();
    List<String> expressions = new ArrayList<>(DeploymentFiles.dashboardExpressions());
    DeploymentFiles.alertRules().forEach(r -> expressions.add(DeploymentFiles.str(r, "expr")));
    for (String expr : expressions) {
      DeploymentFiles.sluiceSelectors(expr).forEach((name, matchers) ->
          wanted.computeIfAbsent(name, k -> new java.util.LinkedHashSet<>()).addAll(matchers));
    }
    assertThat(wanted).containsKeys("sluice_worker_kv_evictions_total", "sluice_worker_recomputes_total",
        "sluice_router_decisions_total", "sluice_cluster_workers", "sluice_cluster_stage_lag_records", "sluice_cluster_dlq_records");

    PipelineSpec spec = new PipelineSpec(0, 2, 1, 4, dev.sluice.embedded.ModelLocator.embeddedModel(), "cache_aware",
        SharedKafkaExtension.bootstrapServers(), 0, dir, SharedKafkaExtension.uniquePrefix("metrics"));
    HttpClient http = HttpClient.newHttpClient();
    try (LocalPipeline pipeline = LocalPipeline.start(spec, line -> {}, Duration.ofMinutes(3))) {
      URI metrics = URI.create("http://127.0.0.1:" + pipeline.port() + "/metrics");
      List<String> missing = new ArrayList<>();
      try {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
          String body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
          missing.clear();
          missing.addAll(missing(wanted, samples(body)));
          return missing.isEmpty();
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // reported below, by name
      }
      assertThat(missing).as("series the dashboard or an alert reads, absent from /metrics").isEmpty();
      // the cluster gauges know both stages, with their worker, before any heartbeat went stale
      Map<String, List<Map<String, String>>> samples =
          samples(http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body());
      assertThat(samples.get("sluice_cluster_workers")).extracting(l -> l.get("stage") + "/" + l.get("health"))
          .contains("0/healthy", "1/healthy", "0/stale", "1/stale");
      assertThat(samples.get("sluice_cluster_stage_lag_records")).extracting(l -> l.get("stage")).contains("0", "1");
    }
  }

  /** Name → the label sets of its samples, from the Prometheus text format. */
  private static Map<String, List<Map<String, String>>> samples(String exposition) {
    Map<String, List<Map<String, String>>> out = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      Matcher m = SAMPLE.matcher(line);
      if (!m.find()) continue;
      out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(DeploymentFiles.labels(m.group(3)));
    }
    return out;
  }

  private static List<String> missing(Map<String, Set<Map<String, String>>> wanted, Map<String, List<Map<String, String>>> samples) {
    List<String> missing = new ArrayList<>();
    for (var w : wanted.entrySet()) {
      List<Map<String, String>> series = samples.getOrDefault(w.getKey(), List.of());
      for (Map<String, String> matchers : w.getValue()) {
        boolean found = series.stream().anyMatch(labels -> labels.entrySet().containsAll(matchers.entrySet()));
        if (!found) missing.add(w.getKey() + (matchers.isEmpty() ? "" : matchers.toString()));
      }
    }
    return new ArrayList<>(new TreeSet<>(missing));
  }
}
