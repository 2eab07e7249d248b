package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.embedded.ModelLocator;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `sluice worker` as an operator runs it: validated settings, heartbeats, metrics, a clean drain. */
@ExtendWith(SharedKafkaExtension.class)
class WorkerCommandTest extends CommandTestSupport {

  @Test
  void shouldNameTheBadKeyAndExitTwo(@TempDir Path dir) {
    int code = sluice("worker", "--stage", "0", "--layers", "zero-two", "--model", dir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("'layers'").contains("zero-two");

    assertThat(sluice("worker", "--stage", "0", "--layers", "0-4", "--model", dir.toString(), "--max-batch-size", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'max_batch_size'");
  }

  @Test
  void shouldHeartbeatServeMetricsAndLeaveATombstoneWhenStopped(@TempDir Path dir) throws Exception {
    Path model = ModelLocator.embeddedModel();
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = SharedKafkaExtension.uniquePrefix("workercmd");
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(2));
    }

    CommandLine cmd = commandLine();
    WorkerCommand worker = cmd.getSubcommands().get("worker").getCommand();
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> cmd.execute("worker", "--stage", "0",
        "--layers", "0-4", "--model", model.toString(), "--bootstrap-servers", bootstrap, "--prefix", namespace,
        "--worker-id", "w-cmd", "--data-dir", dir.resolve("w").toString(), "--metrics-port", "0"));

    Pattern metricsUrl = Pattern.compile("metrics on http://0\\.0\\.0\\.0:(\\d+)/metrics");
    await().atMost(Duration.ofSeconds(90)).until(() -> metricsUrl.matcher(out.toString()).find() || run.isDone());
    Matcher m = metricsUrl.matcher(out.toString());
    assertThat(m.find()).as(out + "\n" + err).isTrue();
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("sluice_worker_queue_depth");

    String workersTopic = new SluiceTopics(namespace).workers().name();
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      WorkerStatus last = lastStatus(workersTopic).get("w-cmd");
      return last != null && last.getState() == WorkerState.READY && last.getLanes().size() == 2;
    });

    worker.requestStop();
    assertThat(run.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(out + "\n" + err).isZero();
    assertThat(out + "\n" + err).contains("draining worker w-cmd");
    Map<String, WorkerStatus> after = lastStatus(workersTopic);
    assertThat(after).containsKey("w-cmd");
    assertThat(after.get("w-cmd")).as("tombstone on clean shutdown").isNull();
  }

  /** The last value per key on the workers topic (null = tombstone). */
  private static Map<String, WorkerStatus> lastStatus(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers());
    var serde = SluiceTopics.defaults().workers().valueSerde();
    Map<String, WorkerStatus> last = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 10_000;
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          last.put(r.key(), serde.deserializer().deserialize(topic, r.value()));
        }
      }
    }
    return last;
  }
}
