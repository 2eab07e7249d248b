package dev.sluice.cli.config;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command-line side of configuration keys: key {@code max_batch_size} is flag
 * {@code --max-batch-size}. Options are declared with picocli as usual; what the command line gave
 * is read from the parse result, so a default never counts as a flag (flag &gt; environment &gt;
 * file &gt; default stays true).
 */
public final class KeyFlags {
  private KeyFlags() {}

  /** {@code --max-batch-size} for {@code max_batch_size}. */
  public static String flag(ConfigKey<?> key) {
    return "--" + key.name().replace('_', '-');
  }

  /** Key name → the value given on the command line, for each key whose flag was given (repeats joined by commas). */
  public static Map<String, String> given(CommandSpec command, Collection<ConfigKey<?>> keys) {
    Map<String, String> flags = new HashMap<>();
    ParseResult parsed = command.commandLine() == null ? null : command.commandLine().getParseResult();
    if (parsed == null) {
      return flags;
    }
    for (ConfigKey<?> key : keys) {
      OptionSpec option = command.findOption(flag(key));
      if (option != null && parsed.hasMatchedOption(option)) {
        flags.put(key.name(), String.join(",", option.stringValues()));
      }
    }
    return flags;
  }
}
