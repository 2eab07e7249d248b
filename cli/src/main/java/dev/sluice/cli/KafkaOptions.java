package dev.sluice.cli;

import dev.sluice.cli.config.ConfigException;
import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.ConfigResolver;
import dev.sluice.cli.config.KeyFlags;
import dev.sluice.schemas.topic.SluiceTopics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Kafka options every command that talks to Kafka shares: where Kafka is, which topic prefix,
 * the Kafka client properties file and the YAML file; each value also comes from SLUICE_* or the
 * YAML file. The command's own keys are resolved through {@link #resolver(List)} with the same sources.
 */
final class KafkaOptions {
  static final ConfigKey<String> BOOTSTRAP_SERVERS =
      ConfigKey.stringKey("bootstrap_servers", "127.0.0.1:9092", "Kafka bootstrap servers, HOST:PORT[,HOST:PORT]");
  static final ConfigKey<String> PREFIX = new ConfigKey<>("prefix", SluiceTopics.DEFAULT_NAMESPACE, s -> s,
      KafkaOptions::isTopicPrefix, "letters, digits, '.', '_' or '-'", "first part of every topic name");
  static final ConfigKey<String> KAFKA_PROPERTIES = new ConfigKey<>("kafka_properties", "", s -> s,
      s -> s.isEmpty() || Files.isRegularFile(Path.of(s)), "an existing .properties file",
      "Kafka client properties (SASL, TLS, timeouts…) passed to every Kafka client of the command");
  static final List<ConfigKey<?>> KEYS = List.of(BOOTSTRAP_SERVERS, PREFIX, KAFKA_PROPERTIES);

  @Option(names = "--bootstrap-servers", paramLabel = "H:P",
      description = "Kafka to talk to (default: ${DEFAULT-VALUE}, or bootstrap.servers of --command-config).")
  String bootstrapServers;

  @Option(names = "--prefix", paramLabel = "<prefix>", description = "Topic namespace: the first part of every topic name (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = {"--command-config", "--kafka-properties"}, paramLabel = "FILE",
      description = "Kafka client properties (SASL, TLS, timeouts…) passed to the Kafka clients as they are.")
  String commandConfig;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML file with any of the command's keys (snake_case).")
  Path config;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** The resolver of the Kafka keys and the command's own: flag &gt; SLUICE_* &gt; YAML file &gt; default. */
  ConfigResolver resolver(List<ConfigKey<?>> commandKeys) {
    return resolver(commandKeys, Map.of());
  }

  /** As {@link #resolver(List)}, with the values of flags not spelt like their key (key name → value). */
  ConfigResolver resolver(List<ConfigKey<?>> commandKeys, Map<String, String> otherFlags) {
    Map<String, String> flags = KeyFlags.given(command, allKeys(commandKeys));
    flags.putAll(otherFlags);
    return ConfigResolver.of(flags, config);
  }

  /** The resolver of the Kafka keys alone. */
  ConfigResolver resolver() {
    return resolver(List.of());
  }

  /** Like {@link #resolver(List)}, failing on any YAML key that neither the command nor these options declare. */
  ConfigResolver strictResolver(List<ConfigKey<?>> commandKeys) {
    ConfigResolver resolver = resolver(commandKeys);
    resolver.rejectUnknownFileKeys(allKeys(commandKeys).stream().map(ConfigKey::name).collect(Collectors.toSet()));
    return resolver;
  }

  /** The flag, SLUICE_BOOTSTRAP_SERVERS or the YAML key; else bootstrap.servers of the properties file; else the default. */
  String bootstrapServers() {
    ConfigResolver resolver = resolver();
    Object fromFile = properties().get("bootstrap.servers");
    return resolver.isSet(BOOTSTRAP_SERVERS) || fromFile == null ? resolver.get(BOOTSTRAP_SERVERS) : fromFile.toString();
  }

  String namespace() {
    return resolver().get(PREFIX);
  }

  /** The properties file's settings for every Kafka client, less bootstrap.servers ({@link #bootstrapServers()} wins). */
  Map<String, Object> clientOverrides() {
    Map<String, Object> overrides = new HashMap<>(properties());
    overrides.remove("bootstrap.servers");
    return overrides;
  }

  /** The properties file's settings and the resolved bootstrap servers: what an admin client needs. */
  Properties clientProperties() {
    Properties props = new Properties();
    props.putAll(clientOverrides());
    props.put("bootstrap.servers", bootstrapServers());
    return props;
  }

  private Map<String, Object> properties() {
    String file = resolver().get(KAFKA_PROPERTIES);
    Map<String, Object> settings = new HashMap<>();
    if (file.isEmpty()) {
      return settings;
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      props.load(in);
    } catch (IOException e) {
      throw new ConfigException("cannot read --command-config " + file + ": " + e.getMessage());
    }
    props.forEach((k, v) -> settings.put(k.toString(), v));
    return settings;
  }

  private static List<ConfigKey<?>> allKeys(List<ConfigKey<?>> commandKeys) {
    List<ConfigKey<?>> all = new ArrayList<>(KEYS);
    all.addAll(commandKeys);
    return all;
  }

  private static boolean isTopicPrefix(String namespace) {
    try {
      new SluiceTopics(namespace);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
