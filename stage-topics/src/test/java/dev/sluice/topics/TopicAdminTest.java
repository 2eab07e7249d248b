package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.SharedKafkaExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafkaExtension.class)
class TopicAdminTest {
  private Admin admin;
  private TopicAdmin topics;
  private TopicLayout layout;

  @BeforeEach
  void connect() {
    admin = Admin.create(Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers()));
    topics = new TopicAdmin(admin);
    layout = TopicLayout.defaults().withNamespace(SharedKafkaExtension.uniquePrefix("topics"))
        .withStages(3).withLanes(4).withRequestsPartitions(2).withResultsPartitions(2);
  }

  @AfterEach
  void disconnect() {
    topics.close();
    admin.close();
  }

  @Test
  void shouldCreateEveryTopicOfTheLayoutAndVerifyClean() {
    TopicAdmin.CreateResult result = topics.create(layout);

    assertThat(result.created()).containsExactlyElementsOf(layout.allTopics().stream().map(TopicSpec::name).toList());
    assertThat(result.existing()).isEmpty();
    assertThat(topics.verify(layout)).isEmpty();
  }

  @Test
  void shouldAcceptASecondCreateOfTheSameLayout() {
    topics.create(layout);

    TopicAdmin.CreateResult again = topics.create(layout);

    assertThat(again.created()).isEmpty();
    assertThat(again.existing()).hasSize(layout.allTopics().size());
  }

  @Test
  void shouldDescribePartitionsAndKeyConfigsOfEachTopic() {
    topics.create(layout);

    List<TopicReport> reports = topics.describe(layout);

    assertThat(reports).extracting(TopicReport::name)
        .containsExactlyElementsOf(layout.allTopics().stream().map(TopicSpec::name).toList());
    assertThat(reports).allSatisfy(r -> {
      assertThat(r.exists()).isTrue();
      assertThat(r.replicationFactor()).isEqualTo((short) 1);
      assertThat(r.configs()).containsEntry("max.message.bytes", String.valueOf(layout.maxMessageBytes()));
    });
    TopicReport stage2 = reports.stream().filter(r -> r.name().equals(layout.stage(2))).findFirst().orElseThrow();
    assertThat(stage2.partitions()).isEqualTo(4);
    assertThat(stage2.describeLine()).startsWith(layout.stage(2) + "  partitions=4  replicas=1");
    TopicReport workers = reports.stream().filter(r -> r.name().equals(layout.workers())).findFirst().orElseThrow();
    assertThat(workers.configs()).containsEntry("cleanup.policy", "compact");
  }

  @Test
  void shouldReportAMissingTopic() throws Exception {
    topics.create(layout);
    admin.deleteTopics(List.of(layout.kvEvents())).all().get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> !admin.listTopics().names().get().contains(layout.kvEvents()));

    List<String> problems = topics.verify(layout);

    assertThat(problems).containsExactly(
        "topic " + layout.kvEvents() + " is missing (run 'sluice topics create' with the same layout)");
    assertThat(topics.describe(layout)).filteredOn(r -> !r.exists()).extracting(TopicReport::describeLine)
        .containsExactly(layout.kvEvents() + "  MISSING");
  }

  @Test
  void shouldReportStageTopicsThatDisagreeOnLaneCount() throws Exception {
    admin.createTopics(List.of(new NewTopic(layout.stage(1), 8, (short) 1))).all().get(30, TimeUnit.SECONDS);

    assertThatThrownBy(() -> topics.create(layout))
        .isInstanceOf(TopicLayoutException.class)
        .hasMessageContaining("stage topics disagree on lane count")
        .hasMessageContaining(layout.stage(1) + " has 8");

    List<String> problems = topics.verify(layout);
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .contains("stage topics disagree on lane count: " + layout.stage(0) + " has 4, " + layout.stage(1) + " has 8"));
  }

  @Test
  void shouldReportStageTopicsWithAnotherLaneCountThanTheLayout() {
    topics.create(layout);

    List<String> problems = topics.verify(layout.withLanes(16));

    assertThat(problems).containsExactly("stage topics have 4 lanes but the layout expects 16 (--lanes); topics "
        + String.join(", ", layout.stageTopics()));
  }

  @Test
  void shouldAcceptRecordsUpToTheLayoutSizeAndRejectLargerOnesLoudly() throws Exception {
    TopicLayout small = layout.withMaxMessageBytes(1024 * 1024);
    topics.create(small);
    Map<String, Object> config = new HashMap<>(small.producerSizeProps());
    config.put("bootstrap.servers", SharedKafkaExtension.bootstrapServers());
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(small.stage(0), 3, "r1", new byte[900 * 1024])).get(30, TimeUnit.SECONDS);

      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(small.stage(0), 3, "r2", new byte[1100 * 1024]))
          .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RecordTooLargeException.class);
    }
    assertThat(admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition(small.stage(0), 3),
        org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).values())
        .singleElement().satisfies(info -> assertThat(info.offset()).isEqualTo(1));
    assertThat(Set.copyOf(topics.verify(small))).isEmpty();
  }
}
