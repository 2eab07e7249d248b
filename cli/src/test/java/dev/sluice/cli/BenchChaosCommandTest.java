package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.testing.SharedKafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice bench chaos} with a small workload and one fault (kill -9 of a last-stage worker) on the
 * shared broker: router, four workers and two ingress as child JVMs. The printed figures must be those of
 * the real events: every request completed, no duplicate, and as many generations on the results topic —
 * read here by a consumer of its own — as the suite says it sent.
 */
@ExtendWith(SharedKafkaExtension.class)
class BenchChaosCommandTest extends CommandTestSupport {
  private static final int REQUESTS = 24;
  private static final int CONCURRENCY = 4;

  @Test
  void shouldPrintTheFiguresOfAKilledLastStageWorkerFromTheRealEvents(@TempDir Path dir) throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("chaos");
    Path report = dir.resolve("chaos.html");

    int code = sluice("bench", "chaos", "--requests", String.valueOf(REQUESTS), "--concurrency",
        String.valueOf(CONCURRENCY), "--max-tokens", "16", "--lanes", "4", "--faults", "worker-last",
        "--bootstrap-servers", SharedKafkaExtension.bootstrapServers(), "--prefix", namespace,
        "--work-dir", dir.resolve("work").toString(), "--report", report.toString());

    String printed = out.toString();
    System.out.print(printed);
    System.out.print(err);
    assertThat(err.toString()).as("errors").isEmpty();
    assertThat(code).isIn(0, 1); // 1: a stall target missed on a loaded machine
    String[] undisturbed = row(printed, "undisturbed");
    String[] killed = row(printed, "worker-last");
    int sentWithFault = Integer.parseInt(killed[1].split("/")[1]);
    assertThat(undisturbed[1]).isEqualTo(REQUESTS + "/" + REQUESTS);
    assertThat(sentWithFault).isGreaterThanOrEqualTo(REQUESTS);
    assertThat(killed[1]).as("completed").isEqualTo(sentWithFault + "/" + sentWithFault);
    assertThat(killed[2]).as("differing").isEqualTo("0");
    assertThat(killed[3]).as("duplicate terminal events").isEqualTo("0");
    assertThat(killed[4]).as("duplicate (requestId, index) pairs").isEqualTo("0");
    assertThat(Long.parseLong(killed[9])).as("longest stall ms").isPositive();
    assertThat(printed).contains("killed worker s1-a (kill -9)").containsPattern("\\[(met|MISS)\\] worker-last: longest stall");

    // the results topic, read independently: one DONE per request of the warm-up and both passes
    Map<String, Integer> terminals = terminalsById(namespace);
    assertThat(terminals).hasSize(CONCURRENCY + REQUESTS + sentWithFault);
    assertThat(terminals.values()).containsOnly(1);
    assertThat(Files.readString(report)).contains("<svg").contains("worker-last").contains("[met]");
  }

  /** The table row of a pass, split at whitespace. */
  private static String[] row(String printed, String pass) {
    return printed.lines().filter(l -> l.startsWith(pass + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + pass + " in:\n" + printed)).trim().split("\\s+");
  }

  private static Map<String, Integer> terminalsById(String namespace) {
    String topic = new SluiceTopics(namespace).results().name();
    Map<String, Integer> terminals = new HashMap<>();
    try (KafkaConsumer<String, ResultEvent> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
        SluiceSerdes.resultEvent().deserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 30_000;
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.value().getKind() != ResultKind.TOKEN) terminals.merge(r.key(), 1, Integer::sum);
        });
      }
    }
    return terminals;
  }
}
