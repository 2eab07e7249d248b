package dev.sluice.cli.config;

/** A configuration value is missing or invalid; the message names the key and what is allowed. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
