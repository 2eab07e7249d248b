package dev.sluice.cli;

import dev.sluice.model.LayerRange;
import dev.sluice.model.convert.ModelSplitter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Split a model into per-stage safetensors files and a manifest of layer ranges. */
@Command(name = "split", mixinStandardHelpOptions = true,
    description = "Split a model into per-stage directories (safetensors + config) and a manifest.json of layer ranges.")
public final class SplitCommand extends ModelCommand {

  @Option(names = "--stages", required = true, description = "Number of pipeline stages.")
  int stages;

  @Option(names = "--out", required = true, description = "Output directory (stage-K/ per stage, manifest.json).")
  Path out;

  @Override
  int run(Path dir, PrintWriter w) throws IOException {
    List<LayerRange> ranges = ModelSplitter.split(dir, stages, out);
    for (int k = 0; k < ranges.size(); k++) {
      w.printf("stage %d: layers %s -> %s%n", k, ranges.get(k), out.resolve("stage-" + k));
    }
    w.println("manifest: " + out.resolve("manifest.json"));
    return 0;
  }
}
