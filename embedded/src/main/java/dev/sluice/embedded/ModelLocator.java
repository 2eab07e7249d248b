package dev.sluice.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds the model to serve when none is given: the repository's embedded stories260K
 * ({@code models/stories260K}, MIT, about 1 MB). It is looked up under {@code SLUICE_HOME}, the working
 * directory and the folders above the jar; a jar copied elsewhere (the container image) carries the
 * same files as resources and unpacks them once into {@code ~/.cache/sluice/models/stories260K}.
 */
public final class ModelLocator {
  public static final String EMBEDDED_NAME = "stories260K";
  static final String EMBEDDED_MODEL = "models/" + EMBEDDED_NAME;
  static final List<String> EMBEDDED_FILES = List.of("config.json", "model.safetensors", "tokenizer.json", "LICENSE",
      "README.md");

  private ModelLocator() {}

  /** The embedded stories260K model folder (unpacked from the jar when no repository is around it). */
  public static Path embeddedModel() {
    List<Path> candidates = new ArrayList<>();
    String home = System.getProperty("sluice.home", System.getenv("SLUICE_HOME"));
    if (home != null) candidates.add(Path.of(home).resolve(EMBEDDED_MODEL));
    candidates.add(Path.of(EMBEDDED_MODEL));
    Path code = codeLocation();
    for (Path p = code; p != null; p = p.getParent()) {
      candidates.add(p.resolve(EMBEDDED_MODEL));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p.resolve("model.safetensors"))) return p.toAbsolutePath().normalize();
    }
    return unpackFromClasspath(Path.of(System.getProperty("user.home"), ".cache", "sluice", EMBEDDED_MODEL));
  }

  /** {@code given} if it is a model folder, else the embedded model. */
  public static Path resolve(Path given, Consumer<String> progress) {
    if (given != null) {
      if (!Files.isRegularFile(given.resolve("config.json"))) {
        throw new IllegalArgumentException("--model " + given + " has no config.json");
      }
      return given.toAbsolutePath().normalize();
    }
    Path embedded = embeddedModel();
    progress.accept("No --model given: serving the embedded " + EMBEDDED_NAME + " (" + embedded + ").");
    return embedded;
  }

  private static Path codeLocation() {
    try {
      var source = ModelLocator.class.getProtectionDomain().getCodeSource();
      return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return null;
    }
  }

  static Path unpackFromClasspath(Path target) {
    try {
      Files.createDirectories(target);
      for (String name : EMBEDDED_FILES) {
        Path file = target.resolve(name);
        try (InputStream in = ModelLocator.class.getResourceAsStream("/" + EMBEDDED_MODEL + "/" + name)) {
          if (in == null) {
            throw new IllegalStateException("the embedded model is missing from this build (" + EMBEDDED_MODEL + "/"
                + name + "); pass --model DIR or ORG/NAME");
          }
          byte[] bytes = in.readAllBytes();
          if (Files.isRegularFile(file) && Files.size(file) == bytes.length) continue;
          Path tmp = Files.createTempFile(target, name, ".part");
          Files.write(tmp, bytes);
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the embedded model into " + target, e);
    }
  }
}
