package dev.sluice.cli;

/** Thrown by a subcommand that is registered but not implemented yet, so it fails plainly. */
final class NotBuiltYetException extends RuntimeException {
  NotBuiltYetException(String command) {
    super("'" + command + "' is not built yet in this version of Sluice.");
  }
}
