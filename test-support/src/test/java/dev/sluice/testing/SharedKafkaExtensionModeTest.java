package dev.sluice.testing;

import dev.sluice.kafka.local.KafkaBroker;
import dev.sluice.kafka.local.LocalKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.SharedKafkaExtension.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Where the shared broker comes from: a container only where an engine answers, in process elsewhere. */
@ExtendWith(SharedKafkaExtension.class)
class SharedKafkaExtensionModeTest {

  @Test
  void shouldReadTheModeAsWritten() {
    assertThat(Mode.parse(null)).isEqualTo(Mode.AUTO);
    assertThat(Mode.parse("in-process")).isEqualTo(Mode.IN_PROCESS);
    assertThat(Mode.parse("container")).isEqualTo(Mode.CONTAINER);
    assertThatThrownBy(() -> Mode.parse("docker")).hasMessageContaining("auto, in-process or container");
  }

  @Test
  void shouldShareTheInProcessBrokerUnlessAContainerEngineAnswers(KafkaBroker kafka) {
    boolean engine = SharedKafkaExtension.mightHaveEngine() && KafkaContainerBroker.engineAnswers();
    if (SharedKafkaExtension.mode() == Mode.IN_PROCESS || !engine) {
      assertThat(kafka).isInstanceOf(LocalKafka.class);
    } else {
      assertThat(kafka).isInstanceOf(KafkaContainerBroker.class);
      assertThat(kafka.toString()).contains("apache/kafka:" + org.apache.kafka.common.utils.internals.AppInfoParser.getVersion());
    }
  }

  @Test
  void shouldDecideWithoutAskingTestcontainersWhereNoEngineCanBe() {
    if (SharedKafkaExtension.mightHaveEngine()) return; // a Docker endpoint exists: Testcontainers is asked
    long start = System.nanoTime();
    assertThat(SharedKafkaExtension.useContainer(Mode.AUTO)).isFalse();
    assertThat(SharedKafkaExtension.useContainer(Mode.IN_PROCESS)).isFalse();
    assertThat((System.nanoTime() - start) / 1_000_000).as("ms to decide").isLessThan(200);
  }

  @Test
  void shouldConfigureTheOfficialImageOfTheClientsVersionWithSluicesSettings() {
    var container = KafkaContainerBroker.configured(); // not started: no engine needed
    assertThat(KafkaContainerBroker.IMAGE) // getDockerImageName() would ask the engine
        .isEqualTo("apache/kafka:" + org.apache.kafka.common.utils.internals.AppInfoParser.getVersion());
    assertThat(container.getEnvMap()).containsEntry("KAFKA_GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS", "0")
        .containsEntry("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(LocalKafka.MESSAGE_MAX_BYTES))
        .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
  }

  @Test
  void shouldGiveTheContainerOnlySettingsOfTheBrokersKafkaVersion() {
    for (String setting : LocalKafka.sluiceSettings().keySet()) {
      assertThat(kafka.server.KafkaConfig.configType(setting).isDefined()).as(setting).isTrue();
      assertThat(setting).as("maps to KAFKA_%s without escapes", setting).doesNotContain("_", "-");
    }
  }
}
