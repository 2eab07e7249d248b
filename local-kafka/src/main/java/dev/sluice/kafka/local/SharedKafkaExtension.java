package dev.sluice.kafka.local;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link LocalKafka} per test JVM, the first time a test class that uses this extension
 * runs, and shares it with every later class; JUnit stops it when the whole run ends.
 *
 * <pre>{@code
 * @ExtendWith(SharedKafkaExtension.class)
 * class MyTest {
 *   @Test void shouldDoX() {
 *     String bootstrap = SharedKafkaExtension.bootstrapServers();
 *     String prefix = SharedKafkaExtension.uniquePrefix("x");   // topics of this test only
 *   }
 *   @Test void orByParameter(LocalKafka kafka) { ... }
 * }
 * }</pre>
 *
 * <p>The broker lives in the root context's store: the root context outlives every test class, and
 * the store closes {@link AutoCloseable} values when the run ends.
 */
public final class SharedKafkaExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedKafkaExtension.class);
  private static final AtomicInteger PREFIX_COUNTER = new AtomicInteger();
  private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);

  private static volatile LocalKafka shared;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker(context);
  }

  /** Bootstrap servers of the shared broker; the test class must use this extension. */
  public static String bootstrapServers() {
    LocalKafka broker = shared;
    if (broker == null || !broker.isRunning()) {
      throw new IllegalStateException(
          "no shared Kafka broker: annotate the test class with @ExtendWith(SharedKafkaExtension.class)");
    }
    return broker.bootstrapServers();
  }

  /**
   * A topic prefix no other test in this run (or an earlier run on a kept broker) uses, e.g.
   * {@code topics-3-1a2b3c4d}; legal in Kafka topic names.
   */
  public static String uniquePrefix(String base) {
    return base + "-" + PREFIX_COUNTER.incrementAndGet() + "-" + RUN_ID;
  }

  private static LocalKafka broker(ExtensionContext context) {
    LocalKafka broker = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(LocalKafka.class, type -> LocalKafka.inTempDir().start(), LocalKafka.class);
    shared = broker;
    return broker;
  }
}
