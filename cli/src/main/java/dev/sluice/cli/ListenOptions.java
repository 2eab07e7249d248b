package dev.sluice.cli;

import dev.sluice.cli.config.ConfigKey;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --port} and {@code --host} of a command that serves HTTP; their defaults are the command's own keys. */
final class ListenOptions implements KeyDefaults.Keyed {
  private final List<ConfigKey<?>> keys;

  @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
  Integer port;

  @Option(names = "--host", description = "Interface to bind (default: ${DEFAULT-VALUE}).")
  String host;

  ListenOptions(ConfigKey<Integer> port, ConfigKey<String> host) {
    this.keys = List.of(port, host);
  }

  @Override
  public List<ConfigKey<?>> keys() {
    return keys;
  }
}
