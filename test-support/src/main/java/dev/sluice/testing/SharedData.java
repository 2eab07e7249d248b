package dev.sluice.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The shared read-only test data (models, golden logits, traces): the directory {@code -Dsluice.shared.dir}
 * names, else {@code ../shared} beside the clone (or {@code ../../shared} from a module's directory). A test
 * that needs it is skipped, with the reason, when it is absent.
 */
public final class SharedData {
  public static final String PROPERTY = "sluice.shared.dir";
  public static final String STORIES260K = "stories260K";
  public static final String MOONCAKE_TRACE = "mooncake_synthetic_trace.jsonl";

  private SharedData() {}

  /** The shared data directory (one holding {@code models}), or empty when there is none. */
  public static Optional<Path> find() {
    for (String candidate : new String[] {System.getProperty(PROPERTY), "../shared", "../../shared"}) {
      if (candidate != null && Files.isDirectory(Path.of(candidate, "models"))) {
        return Optional.of(Path.of(candidate).toAbsolutePath().normalize());
      }
    }
    return Optional.empty();
  }

  /** The shared data directory; skips the test when it is absent. */
  public static Path dir() {
    Optional<Path> dir = find();
    assumeTrue(dir.isPresent(), "shared data not found (set -D" + PROPERTY + " or place it at ../shared); skipping");
    return dir.get();
  }

  public static Path models() {
    return dir().resolve("models");
  }

  public static Path golden() {
    return dir().resolve("golden");
  }

  public static Path traces() {
    return dir().resolve("traces");
  }

  /** {@code relative} (a file or a directory) in the shared data; skips the test when it is not there. */
  public static Path path(String relative) {
    Path p = dir().resolve(relative);
    assumeTrue(Files.exists(p), "../shared/" + relative + " missing (set -D" + PROPERTY + "): skipping");
    return p;
  }

  /** The stories260K model directory; skips the test when its weights are missing. */
  public static Path stories260K() {
    Path p = models().resolve(STORIES260K);
    assumeTrue(Files.exists(p.resolve("model.safetensors")), "stories260K model missing at " + p + "; skipping");
    return p;
  }

  /** A golden file of stories260K ({@code golden/stories260K/FILE}); skips the test when it is missing. */
  public static Path stories260KGolden(String file) {
    Path p = golden().resolve(STORIES260K).resolve(file);
    assumeTrue(Files.exists(p), "golden file missing at " + p + "; skipping");
    return p;
  }

  /** One tiny model of golden/hf-families (tiny-llama3, tiny-qwen2, tiny-qwen3): config, weights, golden. */
  public static Path hfFamily(String name) {
    Path p = golden().resolve("hf-families").resolve(name);
    assumeTrue(Files.exists(p.resolve("golden_" + name + ".bin")), "golden model missing at " + p + "; skipping");
    return p;
  }

  /** The Mooncake trace ({@code traces/mooncake_synthetic_trace.jsonl}), or empty when it is absent. */
  public static Optional<Path> findMooncakeTrace() {
    return find().map(d -> d.resolve("traces").resolve(MOONCAKE_TRACE)).filter(Files::isRegularFile);
  }
}
