package dev.sluice.kafka.local;

/** A Kafka broker the tests share: the in-process {@link LocalKafka}, or the official image in a container. */
public interface KafkaBroker extends AutoCloseable {
  /** host:port for clients. */
  String bootstrapServers();

  boolean isRunning();

  @Override
  void close();
}
