package dev.sluice.cli;

import dev.sluice.model.hub.DownloadProgress;
import dev.sluice.model.hub.HubModels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What every {@code --model} accepts: a model folder, or a Hugging Face hub id {@code ORG/NAME[@REVISION]}
 * pulled into the hub cache first (progress on stderr).
 */
public final class ModelReferences {
  private ModelReferences() {}

  /** Folder or hub id → a model folder; hub progress bars go to stderr. */
  static Path resolve(String model, Consumer<String> log) {
    return HubModels.resolve(model, log, DownloadProgress.bar(new PrintWriter(System.err, true)));
  }

  /** Folder or hub id → a model folder; what the hub says goes to {@code out}, line by line, flushed. */
  static Path resolve(String model, PrintWriter out) {
    return resolve(model, LinePrinter.to(out));
  }

  /** As {@link #resolve(String, PrintWriter)}; no model given (null) is the embedded stories260K. */
  static Path resolveOrEmbedded(String model, PrintWriter out) {
    return model == null ? dev.sluice.embedded.ModelLocator.embeddedModel() : resolve(model, out);
  }

  /** For a config key's validation: a folder that exists, or the shape of a hub id. */
  static boolean isReference(String model) {
    return HubModels.isModelReference(model);
  }

  /** The served model name: the hub id (without revision) when one was given, else the folder's name. */
  static String servedName(String given, Path dir) {
    if (!java.nio.file.Files.isDirectory(Path.of(given)) && dev.sluice.model.hub.HubModelId.looksLike(given)) {
      return dev.sluice.model.hub.HubModelId.parse(given).repo();
    }
    return dir.toAbsolutePath().normalize().getFileName().toString();
  }

  static final String DESCRIPTION = "a model folder or a Hugging Face hub id ORG/NAME[@REVISION]";
}
