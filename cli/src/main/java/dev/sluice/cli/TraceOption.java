package dev.sluice.cli;

import dev.sluice.bench.trace.PublicTrace;
import dev.sluice.model.hub.DownloadProgress;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --trace} of the commands that replay a Mooncake-format trace; without it, the public Mooncake
 * synthetic trace, fetched once into the cache directory ({@link PublicTrace}).
 */
final class TraceOption {
  @Option(names = "--trace", paramLabel = "FILE", description = "Mooncake-format JSONL trace (default: the public Mooncake "
      + "synthetic trace, 3,993 requests, downloaded once from github.com/kvcache-ai/Mooncake into "
      + "~/.cache/sluice/traces and checked against its SHA-256).")
  Path trace;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** --trace, else the cached public trace (downloaded first when it is not cached). */
  Path file() {
    if (trace != null) {
      if (!Files.isRegularFile(trace)) throw new ParameterException(command.commandLine(), "--trace: no such file: " + trace);
      return trace;
    }
    try {
      return PublicTrace.MOONCAKE_SYNTHETIC.fetch(PublicTrace.defaultCacheDir(System.getenv()),
          DownloadProgress.bar(command.commandLine().getErr()));
    } catch (UncheckedIOException e) {
      throw new ParameterException(command.commandLine(), "no --trace given, and " + e.getMessage());
    }
  }
}
