package dev.sluice.cli;

import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.KeyFlags;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The default of an option is the declared default of its configuration key, so that help shows it
 * with {@code ${DEFAULT-VALUE}} and no default is written twice. The keys are the command's own
 * and its mixins' ({@link Keyed}), then the {@link KafkaOptions} ones.
 */
public final class KeyDefaults implements IDefaultValueProvider {

  /** A command whose options stand for configuration keys. */
  interface Keyed {
    List<ConfigKey<?>> keys();

    /** The keys that {@link KeyOptions} makes options of (where the command uses it): all of them unless told. */
    default List<ConfigKey<?>> flags() {
      return keys();
    }
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    List<ConfigKey<?>> keys = new ArrayList<>();
    CommandSpec command = option.command();
    List<Object> owners = new ArrayList<>(List.of(command.userObject()));
    command.mixins().values().forEach(mixin -> owners.add(mixin.userObject()));
    for (Object owner : owners) {
      if (owner instanceof Keyed keyed) {
        keys.addAll(keyed.keys());
      }
    }
    keys.addAll(KafkaOptions.KEYS);
    for (ConfigKey<?> key : keys) {
      if (List.of(option.names()).contains(KeyFlags.flag(key))) {
        Object value = key.defaultValue();
        return value == null || value.toString().isEmpty() ? null : value.toString();
      }
    }
    return null;
  }
}
