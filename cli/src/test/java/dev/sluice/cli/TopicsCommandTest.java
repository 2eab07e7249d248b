package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedKafkaExtension.class)
class TopicsCommandTest extends CommandTestSupport {
  @Test
  void shouldCreateDescribeAndVerifyTopics() {
    String namespace = SharedKafkaExtension.uniquePrefix("cli");
    String bootstrap = SharedKafkaExtension.bootstrapServers();

    assertThat(sluice("topics", "create", "--bootstrap-servers", bootstrap, "--prefix", namespace, "--stages", "2", "--lanes", "3"))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("created  " + namespace + ".stage-1", "topics ready: prefix " + namespace + ", 2 stages, 3 lanes");

    assertThat(sluice("topics", "describe", "--bootstrap-servers", bootstrap, "--prefix", namespace, "--stages", "2", "--lanes", "3"))
        .isZero();
    assertThat(out.toString()).contains(namespace + ".stage-0  partitions=3  replicas=1  max.message.bytes=33554432");

    assertThat(sluice("topics", "verify", "--bootstrap-servers", bootstrap, "--prefix", namespace, "--stages", "2", "--lanes", "3"))
        .isZero();
    assertThat(out.toString()).contains("OK: 8 topics match the layout");
  }

  @Test
  void shouldExitNonZeroWithTheProblemsWhenLaneCountsDiffer() {
    String namespace = SharedKafkaExtension.uniquePrefix("cli");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    assertThat(sluice("topics", "create", "--bootstrap-servers", bootstrap, "--prefix", namespace, "--lanes", "3")).isZero();

    int exit = sluice("topics", "verify", "--bootstrap-servers", bootstrap, "--prefix", namespace, "--lanes", "5");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("(1 problem)", "stage topics have 3 lanes but the layout expects 5");
  }

  @Test
  void shouldExitNonZeroWhenTopicsAreMissing() {
    String namespace = SharedKafkaExtension.uniquePrefix("cli");

    int exit = sluice("topics", "verify", "--bootstrap-servers", SharedKafkaExtension.bootstrapServers(), "--prefix", namespace);

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("topic " + namespace + ".requests is missing", "(8 problems)");
  }

  @Test
  void shouldTakeTheClusterFromTheKafkaClientPropertiesFile(@TempDir Path dir) throws Exception {
    Path clientProperties = dir.resolve("kafka.properties");
    Files.writeString(clientProperties, "bootstrap.servers=" + SharedKafkaExtension.bootstrapServers() + "\n");
    String namespace = SharedKafkaExtension.uniquePrefix("cli");

    assertThat(sluice("topics", "create", "--command-config", clientProperties.toString(), "--prefix", namespace, "--lanes", "2"))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("created  " + namespace + ".requests");
  }

  @Test
  void shouldNameTheBadKeyForAnInvalidLaneCount() {
    int exit = sluice("topics", "verify", "--lanes", "0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("'lanes'", "--lanes");
  }

  @Test
  void shouldSayKafkaDidNotAnswerWhenNothingListens(@TempDir Path dir) throws Exception {
    Path clientProperties = dir.resolve("kafka.properties");
    Files.writeString(clientProperties, "default.api.timeout.ms=1500\nrequest.timeout.ms=1000\n");

    int exit = sluice("topics", "verify", "--bootstrap-servers", "127.0.0.1:1", "--command-config", clientProperties.toString());

    assertThat(exit).isEqualTo(3);
    assertThat(err.toString()).contains("Kafka did not answer in time");
  }
}
