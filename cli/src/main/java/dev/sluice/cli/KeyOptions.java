package dev.sluice.cli;

import dev.sluice.cli.config.ConfigKey;
import dev.sluice.cli.config.KeyFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives a command one option per configuration key it takes as a flag ({@link KeyDefaults.Keyed#flags()}):
 * {@code --max-batch-size} for {@code max_batch_size}, described once, by the key itself (its text,
 * what it accepts, its default from {@link KeyDefaults}). The value is read through
 * {@link KeyFlags#given} into the command's resolver (flag &gt; SLUICE_* &gt; YAML &gt; default), never
 * from a field, so a command declares a key and nothing else. Options a command declares itself
 * (another spelling, a repeatable flag) are left as they are.
 */
public final class KeyOptions implements IModelTransformer {

  @Override
  public CommandSpec transform(CommandSpec command) {
    List<Object> owners = new ArrayList<>(List.of(command.userObject()));
    command.mixins().values().forEach(mixin -> owners.add(mixin.userObject()));
    for (Object owner : owners) {
      if (!(owner instanceof KeyDefaults.Keyed keyed)) continue;
      for (ConfigKey<?> key : keyed.flags()) {
        if (command.findOption(KeyFlags.flag(key)) == null) command.addOption(option(key));
      }
    }
    return command;
  }

  /** The option of one key: {@code --lanes=<lanes>  Lanes = partitions of every stage topic; an integer in [1, 4096] (default: 32).} */
  static OptionSpec option(ConfigKey<?> key) {
    Object def = key.defaultValue();
    boolean shown = def != null && !def.toString().isEmpty();
    String doc = key.doc().substring(0, 1).toUpperCase(Locale.ROOT) + key.doc().substring(1)
        + "; " + key.allowed() + (shown ? " (default: ${DEFAULT-VALUE})" : "") + ".";
    return OptionSpec.builder(KeyFlags.flag(key)).type(String.class).paramLabel("<" + key.name() + ">")
        .description(doc).build();
  }
}
