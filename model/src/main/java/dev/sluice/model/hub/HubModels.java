package dev.sluice.model.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Turns what a user passes as {@code --model} into a model folder: a local folder, or a hub id pulled into the cache. */
public final class HubModels {
  private HubModels() {}

  /**
   * An existing folder as it is; else {@code ORG/NAME[@REVISION]} from the hub (settings from the
   * environment: HF_ENDPOINT, HF_TOKEN, HF_HOME / HF_HUB_CACHE, HF_HUB_OFFLINE).
   */
  public static Path resolve(String model, Consumer<String> log, DownloadProgress progress) {
    return resolve(model, HubSettings.fromEnvironment(), log, progress);
  }

  public static Path resolve(String model, HubSettings settings, Consumer<String> log, DownloadProgress progress) {
    Path local = Path.of(model);
    if (Files.isDirectory(local)) {
      return local.toAbsolutePath().normalize();
    }
    if (!HubModelId.looksLike(model)) {
      throw new IllegalArgumentException("--model " + model + " is neither a model folder nor a hub id ORG/NAME[@REVISION]");
    }
    try {
      return new HubClient(settings, log).snapshot(HubModelId.parse(model), progress);
    } catch (HubClient.HubException e) {
      throw new HubClient.HubException("--model " + model + " is no folder here, so it was taken as a hub id: "
          + e.getMessage());
    }
  }

  /** Whether {@code model} can name a model: an existing folder or something shaped like a hub id. */
  public static boolean isModelReference(String model) {
    return Files.isDirectory(Path.of(model)) || HubModelId.looksLike(model);
  }
}
