package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.schemas.topic.SluiceTopics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where Kafka is and which prefix to use, for the roles that read Sluice's topics (results,
 * ingress, workers); each value also comes from SLUICE_* or the YAML file.
 */
final class KafkaOptions {
  static final ConfigKey<String> BOOTSTRAP_SERVERS =
      ConfigKey.stringKey("bootstrap_servers", "127.0.0.1:9092", "Kafka bootstrap servers, HOST:PORT[,HOST:PORT]");
  static final ConfigKey<String> PREFIX =
      ConfigKey.stringKey("prefix", SluiceTopics.DEFAULT_PREFIX, "first part of every topic name");

  @Option(names = "--bootstrap-servers", paramLabel = "H:P", description = "Kafka to talk to (default: 127.0.0.1:9092).")
  String bootstrapServers;

  @Option(names = "--prefix", description = "Topic name prefix (default: " + SluiceTopics.DEFAULT_PREFIX + ").")
  String prefix;

  @Option(names = "--command-config", paramLabel = "FILE",
      description = "Kafka client properties (SASL, TLS, timeouts…) passed to the Kafka clients as they are.")
  Path commandConfig;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML file with these keys (snake_case).")
  Path config;

  /** Extra keys of the command that owns these options (flag values, null when unset). */
  final Map<String, String> extraFlags = new HashMap<>();

  ConfigResolver resolver() {
    Map<String, String> flags = new HashMap<>(extraFlags);
    flags.put(BOOTSTRAP_SERVERS.name(), bootstrapServers);
    flags.put(PREFIX.name(), prefix);
    return ConfigResolver.of(flags, config);
  }

  String bootstrapServers() {
    return resolver().get(BOOTSTRAP_SERVERS);
  }

  String prefix() {
    String p = resolver().get(PREFIX);
    try {
      return new SluiceTopics(p).prefix();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  Map<String, Object> clientOverrides() {
    Map<String, Object> overrides = new HashMap<>();
    if (commandConfig != null) {
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(commandConfig)) {
        props.load(in);
      } catch (IOException e) {
        throw new ConfigException("cannot read --command-config " + commandConfig + ": " + e.getMessage());
      }
      props.forEach((k, v) -> overrides.put(k.toString(), v));
      overrides.remove("bootstrap.servers"); // the resolved bootstrap servers win
    }
    return overrides;
  }
}
