package dev.sluice.cli.config;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key, declared once: its name (as written in YAML; {@code SLUICE_NAME} in the
 * environment), default, parser, validation and documentation.
 *
 * @param name snake_case key, e.g. {@code max_batch_size}
 * @param defaultValue used when no flag, environment variable or file sets the key; null = required
 * @param parser turns the textual value into the typed one
 * @param valid accepted values
 * @param allowed human description of the accepted values, quoted in error messages
 * @param doc one-line meaning
 */
public record ConfigKey<T>(
    String name, T defaultValue, Function<String, T> parser, Predicate<T> valid, String allowed, String doc) {

  public static ConfigKey<Integer> intKey(String name, Integer def, int min, int max, String doc) {
    return new ConfigKey<>(name, def, Integer::valueOf, v -> v >= min && v <= max,
        "an integer in [" + min + ", " + max + "]", doc);
  }

  public static ConfigKey<Double> doubleKey(String name, Double def, double min, double max, String doc) {
    return new ConfigKey<>(name, def, Double::valueOf, v -> v >= min && v <= max,
        "a number in [" + min + ", " + max + "]", doc);
  }

  public static ConfigKey<String> stringKey(String name, String def, String doc) {
    return new ConfigKey<>(name, def, s -> s, s -> !s.isBlank(), "a non-empty string", doc);
  }

  public static ConfigKey<String> choiceKey(String name, String def, List<String> choices, String doc) {
    return new ConfigKey<>(name, def, s -> s, choices::contains, "one of " + String.join(", ", choices), doc);
  }

  public static ConfigKey<Boolean> boolKey(String name, Boolean def, String doc) {
    return new ConfigKey<>(name, def, s -> {
      if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) return Boolean.valueOf(s);
      throw new IllegalArgumentException(s);
    }, v -> true, "true or false", doc);
  }

  /** SLUICE_ plus the upper-cased name: {@code max_batch_size} → {@code SLUICE_MAX_BATCH_SIZE}. */
  public String envName() {
    return "SLUICE_" + name.toUpperCase().replace('-', '_').replace('.', '_');
  }
}
