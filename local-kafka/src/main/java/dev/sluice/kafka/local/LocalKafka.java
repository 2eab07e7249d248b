package dev.sluice.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running in this JVM on
 * 127.0.0.1. Used by {@code sluice up}, {@code sluice broker} and tests.
 *
 * <p>Kafka's server classes ({@link KafkaRaftServer}, {@code Formatter}, {@link Exit}) are internal
 * APIs; this package is the only place in Sluice that touches them (the formatting in
 * {@link KafkaDataDir}), so a Kafka upgrade changes this package only. The broker's settings are
 * {@link BrokerProperties}.
 *
 * <p>The data directory is Kafka's alone (it becomes {@code log.dirs}). It is formatted only the
 * first time; a restart on the same directory keeps the cluster id, the topics and their records.
 */
public final class LocalKafka implements KafkaBroker {
  private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

  /** Broker-wide cap; each Sluice topic sets its own {@code max.message.bytes} below it. */
  public static final int MESSAGE_MAX_BYTES = 64 * 1024 * 1024;

  private static final String HOST = BrokerProperties.HOST;
  private static final int BIND_ATTEMPTS = 5;

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int requestedKafkaPort;
  private final Map<String, String> overrides;

  private KafkaRaftServer server;
  private int kafkaPort;
  /** PLAIN users (name → password) of a SASL_PLAINTEXT listener; empty = no such listener. */
  private Map<String, String> saslUsers = Map.of();
  private int saslPort;
  private String clusterId;

  /**
   * @param dataDir Kafka's own directory (created if absent); kept on close
   * @param kafkaPort port of the client listener on 127.0.0.1, or 0 for a free one
   * @param overrides broker settings applied over Sluice's defaults
   */
  public LocalKafka(Path dataDir, int kafkaPort, Map<String, String> overrides) {
    this(dataDir, false, kafkaPort, overrides);
  }

  public LocalKafka(Path dataDir, int kafkaPort) {
    this(dataDir, false, kafkaPort, Map.of());
  }

  public LocalKafka(Path dataDir) {
    this(dataDir, false, 0, Map.of());
  }

  private LocalKafka(Path dataDir, boolean ownsDataDir, int kafkaPort, Map<String, String> overrides) {
    if (kafkaPort < 0 || kafkaPort > 65535) {
      throw new IllegalArgumentException("kafka port must be in [0, 65535], got " + kafkaPort);
    }
    this.dataDir = dataDir.toAbsolutePath();
    this.ownsDataDir = ownsDataDir;
    this.requestedKafkaPort = kafkaPort;
    this.overrides = Map.copyOf(overrides);
  }

  /** A broker on a fresh temporary directory, deleted again by {@link #close()}. */
  public static LocalKafka inTempDir() {
    try {
      return new LocalKafka(Files.createTempDirectory("sluice-kafka-"), true, 0, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
    }
  }

  /**
   * Adds a second client listener, SASL_PLAINTEXT with the PLAIN mechanism and these users (name →
   * password), beside the PLAINTEXT one (which the broker itself keeps using); before {@link #start()}.
   */
  public synchronized LocalKafka withSaslPlainUsers(Map<String, String> users) {
    if (server != null) throw new IllegalStateException("the SASL listener must be set before start()");
    this.saslUsers = Map.copyOf(users);
    return this;
  }

  /** {@code 127.0.0.1:PORT} of the SASL_PLAINTEXT listener; empty when there is none. */
  public synchronized java.util.Optional<String> saslBootstrapServers() {
    requireStarted();
    return saslUsers.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(HOST + ":" + saslPort);
  }

  /** The client settings that log in to the SASL_PLAINTEXT listener as {@code user}. */
  public static Map<String, Object> saslPlainClientSettings(String user, String password) {
    return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
            + password + "\";");
  }

  /**
   * The broker settings Sluice runs on, apart from node identity, listeners and directories: the
   * in-process broker, the Kafka container of the tests and docker-compose.yml's broker all use them
   * (DeploymentFilesTest checks the compose file against this list).
   */
  public static Map<String, String> sluiceSettings() {
    return BrokerProperties.sluiceSettings();
  }

  /** Formats the data directory if needed and starts the broker; returns once it accepts clients. */
  public synchronized LocalKafka start() {
    if (server != null) {
      throw new IllegalStateException("broker already started at " + bootstrapServers());
    }
    installThrowingExit();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
    }
    RuntimeException last = null;
    int attempts = requestedKafkaPort == 0 ? BIND_ATTEMPTS : 1;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      // Ports are picked free and released before Kafka binds them; another process may grab one
      // in between, so a bind failure is retried with new ports.
      int port = requestedKafkaPort == 0 ? FreePorts.pick() : requestedKafkaPort;
      int controllerPort = FreePorts.pick();
      saslPort = saslUsers.isEmpty() ? 0 : FreePorts.pick();
      try {
        KafkaConfig config = new KafkaConfig(
            BrokerProperties.of(dataDir, port, controllerPort, saslUsers, saslPort, overrides), false);
        clusterId = KafkaDataDir.formatIfNeeded(dataDir);
        KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
        try {
          candidate.startup();
        } catch (RuntimeException e) {
          stopQuietly(candidate);
          throw e;
        }
        server = candidate;
        kafkaPort = port;
        log.info("Kafka broker started at {} (data in {})", bootstrapServers(), dataDir);
        return this;
      } catch (RuntimeException e) {
        last = e;
        if (!FreePorts.isBindFailure(e)) break;
        log.warn("port {} or {} was taken, retrying with other ports", port, controllerPort);
      }
    }
    if (requestedKafkaPort != 0 && FreePorts.isBindFailure(last)) {
      throw new IllegalStateException("Kafka port " + requestedKafkaPort + " on " + HOST + " is in use", last);
    }
    throw new IllegalStateException("the local Kafka broker failed to start: " + last.getMessage(), last);
  }

  /** {@code 127.0.0.1:PORT} of the running broker. */
  public synchronized String bootstrapServers() {
    requireStarted();
    return HOST + ":" + kafkaPort;
  }

  public synchronized int port() {
    requireStarted();
    return kafkaPort;
  }

  /** The cluster id written when the directory was first formatted; stays the same across restarts. */
  public synchronized String clusterId() {
    requireStarted();
    return clusterId;
  }

  public Path dataDir() {
    return dataDir;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /** Stops the broker cleanly (idempotent); a temporary data directory is deleted. */
  @Override
  public synchronized void close() {
    if (server != null) {
      KafkaRaftServer stopping = server;
      server = null;
      stopping.shutdown();
      stopping.awaitShutdown();
      log.info("Kafka broker on port {} stopped", kafkaPort);
    }
    if (ownsDataDir) {
      KafkaDataDir.delete(dataDir);
    }
  }

  /**
   * Kafka calls Exit.exit/halt on fatal errors, which would kill the whole Sluice process (or the
   * test JVM); make them throw instead. JVM-wide and idempotent.
   */
  private static synchronized void installThrowingExit() {
    Exit.setExitProcedure((code, message) -> {
      throw new FatalBrokerException("Kafka asked to exit with status " + code + ": " + message);
    });
    Exit.setHaltProcedure((code, message) -> {
      throw new FatalBrokerException("Kafka asked to halt with status " + code + ": " + message);
    });
  }

  private static void stopQuietly(KafkaRaftServer candidate) {
    try {
      candidate.shutdown();
      candidate.awaitShutdown();
    } catch (RuntimeException e) {
      log.debug("ignoring failure while stopping a broker that did not start", e);
    }
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException("the local Kafka broker is not running; call start() first");
    }
  }

  /** Kafka hit an error it would normally end the process for. */
  public static final class FatalBrokerException extends RuntimeException {
    FatalBrokerException(String message) {
      super(message);
    }
  }
}
