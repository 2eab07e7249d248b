package dev.sluice.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared read-only data (model, golden logits) or skips the test with a clear message. */
public final class SharedData {
  private SharedData() {}

  public static Path dir() {
    String prop = System.getProperty("sluice.shared.dir");
    for (String candidate : new String[] {prop, "../shared", "../../shared"}) {
      if (candidate != null && Files.isDirectory(Path.of(candidate, "models"))) {
        return Path.of(candidate).toAbsolutePath().normalize();
      }
    }
    assumeTrue(false, "shared data not found (set -Dsluice.shared.dir or place it at ../shared); skipping");
    return null;
  }

  public static Path stories260K() {
    Path p = dir().resolve("models/stories260K");
    assumeTrue(Files.exists(p.resolve("model.safetensors")), "stories260K model missing at " + p + "; skipping");
    return p;
  }

  public static Path golden(String file) {
    Path p = dir().resolve("golden/stories260K").resolve(file);
    assumeTrue(Files.exists(p), "golden file missing at " + p + "; skipping");
    return p;
  }

  /** One tiny model of ../shared/golden/hf-families (tiny-llama3, tiny-qwen2, tiny-qwen3): config, weights, golden. */
  public static Path hfFamily(String name) {
    Path p = dir().resolve("golden/hf-families").resolve(name);
    assumeTrue(Files.exists(p.resolve("golden_" + name + ".bin")), "golden model missing at " + p + "; skipping");
    return p;
  }
}
