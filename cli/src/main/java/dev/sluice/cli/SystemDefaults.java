package dev.sluice.cli;

/**
 * System properties every role needs even when the JVM was started without the launcher's
 * jvm.options (for example from an IDE): DJL must not probe the network, Chronicle must not phone
 * home, and Avro must trust the generated record classes.
 */
public final class SystemDefaults {
  private SystemDefaults() {}

  public static void apply() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("chronicle.analytics.disable", "true");
    setIfAbsent("chronicle.announcer.disable", "true");
    setIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "dev.sluice");
    // One PyTorch intra-op thread per calling thread: `up` runs several workers in one JVM, and on a
    // shared 2-core machine two-thread OpenMP teams that spin against each other made stories260K
    // decode 10-20x slower (186 vs 9-20 tokens/s measured). Override with -Dai.djl.pytorch.num_threads=N
    // (SLUICE_JAVA_OPTS) or `sluice worker --threads N` for a process that has the cores alone.
    setIfAbsent("ai.djl.pytorch.num_threads", "1");
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // The embedded broker's own warnings (controller activation, closed clients) are noise for users.
    setIfAbsent("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    setIfAbsent("org.slf4j.simpleLogger.log.kafka", "error");
    setIfAbsent("org.slf4j.simpleLogger.log.state.change.logger", "error");
    // DJL probes for a GPU on a CPU-only machine and warns each time a model loads.
    setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
