package dev.sluice.testing;

import dev.sluice.kafka.local.KafkaBroker;
import dev.sluice.kafka.local.LocalKafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one Kafka broker per test JVM, the first time a test class that uses this extension runs, and
 * shares it with every later class; JUnit stops it when the whole run ends. The one place the
 * integration tests get their broker from:
 *
 * <ul>
 *   <li>where a container engine answers and Testcontainers is on the test class path, the official
 *       {@code apache/kafka} image of the clients' version (the image docker-compose.yml runs) through
 *       Testcontainers' Kafka module, with {@link LocalKafka#sluiceSettings()};
 *   <li>elsewhere (no engine: this project's development machines and CI) the in-process {@link LocalKafka}.
 * </ul>
 *
 * <p>{@code -Dsluice.test.kafka=} (or env {@code SLUICE_TEST_KAFKA}) {@code auto} (default),
 * {@code in-process} or {@code container} chooses explicitly; {@code container} fails when no engine
 * answers. {@code auto} asks Testcontainers only when a Docker socket or {@code DOCKER_HOST} exists, so a
 * machine without an engine pays nothing for the check.
 *
 * <pre>{@code
 * @ExtendWith(SharedKafkaExtension.class)
 * class MyTest {
 *   @Test void shouldDoX() {
 *     String bootstrap = SharedKafkaExtension.bootstrapServers();
 *     String prefix = SharedKafkaExtension.uniquePrefix("x");   // topics of this test only
 *   }
 *   @Test void orByParameter(KafkaBroker kafka) { ... }
 * }
 * }</pre>
 *
 * <p>The broker lives in the root context's store: the root context outlives every test class, and
 * the store closes {@link AutoCloseable} values when the run ends.
 */
public final class SharedKafkaExtension implements BeforeAllCallback, ParameterResolver {
  private static final Logger log = LoggerFactory.getLogger(SharedKafkaExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedKafkaExtension.class);
  private static final AtomicInteger PREFIX_COUNTER = new AtomicInteger();
  private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
  public static final String MODE_PROPERTY = "sluice.test.kafka";

  private static volatile KafkaBroker shared;

  /** The PLAIN user of the in-process broker's SASL_PLAINTEXT listener (see {@link #saslListener()}). */
  public static final String SASL_USER = "sluice";
  public static final String SASL_PASSWORD = "sluice-secret";

  /** A listener that takes only SASL clients: its address and the client settings that log in to it. */
  public record SaslListener(String bootstrapServers, Map<String, Object> clientSettings) {}

  /** Where the broker comes from. */
  public enum Mode {
    AUTO, IN_PROCESS, CONTAINER;

    static Mode parse(String value) {
      if (value == null || value.isBlank()) return AUTO;
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, in-process or container, not '" + value + "'");
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KafkaBroker.class || type == LocalKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KafkaBroker broker = broker(context);
    if (parameter.getParameter().getType() == LocalKafka.class && !(broker instanceof LocalKafka)) {
      throw new ParameterResolutionException("this run shares " + broker + ", not an in-process LocalKafka: "
          + "take a KafkaBroker parameter (or run with -D" + MODE_PROPERTY + "=in-process)");
    }
    return broker;
  }

  /** Bootstrap servers of the shared broker; the test class must use this extension. */
  public static String bootstrapServers() {
    KafkaBroker broker = shared;
    if (broker == null || !broker.isRunning()) {
      throw new IllegalStateException(
          "no shared Kafka broker: annotate the test class with @ExtendWith(SharedKafkaExtension.class)");
    }
    return broker.bootstrapServers();
  }

  /**
   * The shared in-process broker's SASL_PLAINTEXT (PLAIN) listener, for tests of the security
   * pass-through; empty when the run shares a container broker.
   */
  public static java.util.Optional<SaslListener> saslListener() {
    bootstrapServers(); // fails clearly without the extension
    if (!(shared instanceof LocalKafka local)) return java.util.Optional.empty();
    return local.saslBootstrapServers()
        .map(address -> new SaslListener(address, LocalKafka.saslPlainClientSettings(SASL_USER, SASL_PASSWORD)));
  }

  /**
   * A topic prefix no other test in this run (or an earlier run on a kept broker) uses, e.g.
   * {@code topics-3-1a2b3c4d}; legal in Kafka topic names.
   */
  public static String uniquePrefix(String base) {
    return base + "-" + PREFIX_COUNTER.incrementAndGet() + "-" + RUN_ID;
  }

  /** The mode this JVM's tests run in: the system property, else the environment variable, else auto. */
  public static Mode mode() {
    String value = System.getProperty(MODE_PROPERTY);
    return Mode.parse(value != null ? value : System.getenv("SLUICE_TEST_KAFKA"));
  }

  /** True when a container broker is chosen for this JVM (never on a machine without a container engine). */
  static boolean useContainer(Mode mode) {
    return switch (mode) {
      case IN_PROCESS -> false;
      case CONTAINER -> {
        if (!testcontainersPresent() || !KafkaContainerBroker.engineAnswers()) {
          throw new IllegalStateException(MODE_PROPERTY + "=container, but "
              + (testcontainersPresent() ? "no container engine answers" : "Testcontainers is not on the test class path"));
        }
        yield true;
      }
      case AUTO -> mightHaveEngine() && testcontainersPresent() && KafkaContainerBroker.engineAnswers();
    };
  }

  /** A cheap look for a Docker endpoint before asking Testcontainers (which takes ~1 s to say no). */
  static boolean mightHaveEngine() {
    if (System.getenv("DOCKER_HOST") != null) return true;
    String home = System.getProperty("user.home", "");
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    for (Path socket : new Path[] {Path.of("/var/run/docker.sock"), Path.of(home, ".docker/run/docker.sock"),
        Path.of(home, ".testcontainers.properties"), runtime == null ? null : Path.of(runtime, "docker.sock"),
        runtime == null ? null : Path.of(runtime, "podman/podman.sock")}) {
      if (socket != null && Files.exists(socket)) return true;
    }
    return false;
  }

  private static boolean testcontainersPresent() {
    try {
      Class.forName("org.testcontainers.kafka.KafkaContainer", false, SharedKafkaExtension.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static KafkaBroker broker(ExtensionContext context) {
    KafkaBroker broker = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(KafkaBroker.class, type -> startBroker(), KafkaBroker.class);
    shared = broker;
    return broker;
  }

  private static KafkaBroker startBroker() {
    Mode mode = mode();
    if (useContainer(mode)) {
      KafkaBroker broker = KafkaContainerBroker.start();
      log.info("tests share {} (a container engine answers; -D{}=in-process for the in-process broker)", broker, MODE_PROPERTY);
      return broker;
    }
    LocalKafka broker = LocalKafka.inTempDir().withSaslPlainUsers(Map.of(SASL_USER, SASL_PASSWORD)).start();
    log.info("tests share the in-process Kafka broker at {} ({})", broker.bootstrapServers(),
        mode == Mode.IN_PROCESS ? MODE_PROPERTY + "=in-process" : "no container engine answers");
    return broker;
  }
}
