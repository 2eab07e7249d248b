package dev.sluice.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves configuration keys with the precedence flag &gt; environment &gt; YAML file &gt; default,
 * and validates every value at start with a message that names the key.
 */
public final class ConfigResolver {
  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final Map<String, String> file;
  private final String fileName;

  public ConfigResolver(Map<String, String> flags, Map<String, String> env, Path yamlFile) {
    this.flags = flags;
    this.env = env;
    this.fileName = yamlFile == null ? null : yamlFile.toString();
    this.file = yamlFile == null ? Map.of() : readYaml(yamlFile);
  }

  /** The usual resolver: given flags, the process environment and an optional YAML file. */
  public static ConfigResolver of(Map<String, String> flags, Path yamlFile) {
    return new ConfigResolver(flags, System.getenv(), yamlFile);
  }

  /** Whether a flag, the environment or the file sets the key (false: its default applies). */
  public boolean isSet(ConfigKey<?> key) {
    return flags.get(key.name()) != null || env.get(key.envName()) != null || file.get(key.name()) != null;
  }

  public <T> T get(ConfigKey<T> key) {
    String source;
    String raw;
    if (flags.get(key.name()) != null) {
      raw = flags.get(key.name());
      source = "flag --" + key.name().replace('_', '-');
    } else if (env.get(key.envName()) != null) {
      raw = env.get(key.envName());
      source = "environment variable " + key.envName();
    } else if (file.get(key.name()) != null) {
      raw = file.get(key.name());
      source = "key '" + key.name() + "' in " + fileName;
    } else {
      if (key.defaultValue() == null) {
        throw new ConfigException("'" + key.name() + "' is required (" + key.doc() + "); set it in the"
            + " config file, as " + key.envName() + " or with --" + key.name().replace('_', '-'));
      }
      return key.defaultValue();
    }
    T value;
    try {
      value = key.parser().apply(raw.trim());
    } catch (RuntimeException e) {
      throw new ConfigException(invalid(key, raw, source));
    }
    if (!key.valid().test(value)) {
      throw new ConfigException(invalid(key, raw, source));
    }
    return value;
  }

  /** Fails on keys in the YAML file that no declared key knows: typos should not pass silently. */
  public void rejectUnknownFileKeys(Set<String> known) {
    Set<String> unknown = new TreeSet<>(file.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown key(s) " + unknown + " in " + fileName + "; known keys: " + new TreeSet<>(known));
    }
  }

  private static String invalid(ConfigKey<?> key, String raw, String source) {
    return "invalid value '" + raw + "' for '" + key.name() + "' (from " + source + "): expected "
        + key.allowed();
  }

  private static Map<String, String> readYaml(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("config file " + path + " does not exist");
    }
    try {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
      Map<String, String> out = new HashMap<>();
      if (root == null || root.isMissingNode() || root.isNull()) return out;
      if (!root.isObject()) throw new ConfigException("config file " + path + " must be a YAML mapping of keys to values");
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        var e = it.next();
        JsonNode v = e.getValue();
        out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
      }
      return out;
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
  }
}
