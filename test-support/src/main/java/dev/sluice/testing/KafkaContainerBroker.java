package dev.sluice.testing;

import dev.sluice.kafka.local.KafkaBroker;
import dev.sluice.kafka.local.LocalKafka;

import java.util.Locale;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The official Apache Kafka image of the clients' version (the image docker-compose.yml runs), started
 * through Testcontainers' Kafka module with {@link LocalKafka#sluiceSettings()}. Loaded only when
 * Testcontainers is on the class path and a container engine answers.
 */
final class KafkaContainerBroker implements KafkaBroker {
  static final String IMAGE = "apache/kafka:" + AppInfoParser.getVersion();

  private final KafkaContainer container;

  private KafkaContainerBroker(KafkaContainer container) {
    this.container = container;
  }

  /** Asks Testcontainers whether a container engine answers (about a second when none does). */
  static boolean engineAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static KafkaContainerBroker start() {
    KafkaContainer container = configured();
    container.start();
    return new KafkaContainerBroker(container);
  }

  /** The container, not started: the image and Sluice's broker settings as KAFKA_* variables. */
  static KafkaContainer configured() {
    KafkaContainer container = new KafkaContainer(DockerImageName.parse(IMAGE));
    // The image turns KAFKA_A_B into a.b (Sluice's settings have no '_' or '-' of their own).
    LocalKafka.sluiceSettings().forEach((name, value) ->
        container.withEnv("KAFKA_" + name.toUpperCase(Locale.ROOT).replace('.', '_'), value));
    return container;
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public boolean isRunning() {
    return container.isRunning();
  }

  @Override
  public void close() {
    container.stop();
  }

  @Override
  public String toString() {
    return "Kafka container " + IMAGE + " at " + bootstrapServers();
  }
}
