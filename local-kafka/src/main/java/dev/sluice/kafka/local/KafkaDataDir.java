package dev.sluice.kafka.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The in-process broker's data directory: formatted once (KRaft storage), its cluster id, deleted when temporary. */
final class KafkaDataDir {
  private static final Logger log = LoggerFactory.getLogger(KafkaDataDir.class);

  private KafkaDataDir() {}

  /** Formats the directory unless it holds {@code meta.properties} already; returns its cluster id. */
  static String formatIfNeeded(Path dataDir) {
    Path metaProperties = dataDir.resolve("meta.properties");
    if (Files.exists(metaProperties)) {
      return readClusterId(metaProperties);
    }
    String newClusterId = Uuid.randomUuid().toString();
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(BrokerProperties.NODE_ID)
          .setClusterId(newClusterId)
          .setDirectories(List.of(dataDir.toString()))
          .setMetadataLogDirectory(dataDir.toString()) // metadata log lives in the one log dir
          .setControllerListenerName("CONTROLLER")
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka data directory " + dataDir, e);
    }
    return newClusterId;
  }

  private static String readClusterId(Path metaProperties) {
    Properties meta = new Properties();
    try (InputStream in = Files.newInputStream(metaProperties)) {
      meta.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + metaProperties, e);
    }
    return meta.getProperty("cluster.id");
  }

  /** Deletes the directory and everything in it; a failure is logged, not thrown. */
  static void delete(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }
}
