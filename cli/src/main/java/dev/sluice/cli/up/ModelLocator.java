package dev.sluice.cli.up;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.RandomModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Finds the model to serve when none is given: the shared stories260K, else a seeded random one. */
public final class ModelLocator {
  static final String SHARED_MODEL = "models/stories260K";
  static final String RANDOM_PRESET = "tiny-llama";

  private ModelLocator() {}

  /** The shared stories260K model, looked up next to the working directory and next to SLUICE_HOME. */
  public static Path sharedModel() {
    List<Path> candidates = new ArrayList<>();
    String shared = System.getProperty("sluice.shared.dir");
    if (shared != null) candidates.add(Path.of(shared).resolve(SHARED_MODEL));
    String home = System.getenv("SLUICE_HOME");
    if (home != null) candidates.add(Path.of(home).resolve("../shared").resolve(SHARED_MODEL));
    candidates.add(Path.of("../shared").resolve(SHARED_MODEL));
    candidates.add(Path.of("../../shared").resolve(SHARED_MODEL));
    for (Path p : candidates) {
      if (Files.isRegularFile(p.resolve("config.json"))) return p.toAbsolutePath().normalize();
    }
    return null;
  }

  public static Path resolve(Path given, Path dataDir, Consumer<String> progress) {
    if (given != null) {
      if (!Files.isRegularFile(given.resolve("config.json"))) {
        throw new IllegalArgumentException("--model " + given + " has no config.json");
      }
      return given.toAbsolutePath().normalize();
    }
    Path shared = sharedModel();
    if (shared != null) return shared;
    Path random = dataDir.resolve("models").resolve("random-" + RANDOM_PRESET);
    if (!Files.isRegularFile(random.resolve("config.json"))) {
      progress.accept("No model given and ../shared/models/stories260K is absent: serving a SEEDED RANDOM model ("
          + RANDOM_PRESET + "); its output is gibberish. Pass --model DIR for a real one.");
      try {
        ModelConfig cfg = RandomModel.PRESETS.get(RANDOM_PRESET);
        RandomModel.write(cfg, random, 42L, progress);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      progress.accept("Serving the seeded random model at " + random + " (gibberish output; pass --model DIR).");
    }
    return random;
  }
}
