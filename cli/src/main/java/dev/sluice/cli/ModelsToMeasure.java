package dev.sluice.cli;

import dev.sluice.embedded.ModelLocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;

/**
 * The models bench model measures: the --model folders and hub ids, and seeded random models of the
 * --shape presets; with neither, the embedded stories260K and gpt2-small (unless --no-gpt2).
 */
final class ModelsToMeasure {
  @Option(names = "--model", paramLabel = "DIR|ORG/NAME", showDefaultValue = Help.Visibility.NEVER, description = "A model to measure (repeatable; default: the "
      + "embedded stories260K when no --shape is given).")
  List<String> models = new ArrayList<>();

  @Option(names = "--shape", paramLabel = "PRESET", showDefaultValue = Help.Visibility.NEVER, description = "A seeded random model at a real shape (repeatable): "
      + "gpt2-small, qwen3-0.6b, llama3.2-1b, smollm2-135m (default: gpt2-small).")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--no-gpt2", description = "Leave out the default gpt2-small shape.")
  boolean noGpt2;

  /** The model folders: each --model (hub ids pulled first, their lines to stdout), else the embedded stories260K when no --shape either. */
  List<Path> folders() {
    List<Path> dirs = new ArrayList<>();
    for (String m : models) {
      dirs.add(ModelReferences.resolve(m, System.out::println));
    }
    if (dirs.isEmpty() && shapes.isEmpty()) {
      dirs.add(ModelLocator.embeddedModel());
    }
    return dirs;
  }

  /** The random models' presets: each --shape, else gpt2-small unless --no-gpt2. */
  List<String> randomShapes() {
    List<String> randomShapes = new ArrayList<>(shapes);
    if (randomShapes.isEmpty() && !noGpt2) {
      randomShapes.add("gpt2-small");
    }
    return randomShapes;
  }
}
