package dev.sluice.cli;

import dev.sluice.model.LayerRange;
import dev.sluice.model.convert.ModelSplitter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Split a model into per-stage safetensors files and a manifest of layer ranges. */
@Command(name = "split", mixinStandardHelpOptions = true,
    description = "Split a model into per-stage directories (safetensors + config) and a manifest.json of layer ranges.")
public final class SplitCommand implements Callable<Integer> {

  @Mixin ModelOption model;

  @Option(names = "--stages", required = true, description = "Number of pipeline stages.")
  int stages;

  @Option(names = "--out", required = true, description = "Output directory (stage-K/ per stage, manifest.json).")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    Path dir = model.resolve(w);
    List<LayerRange> ranges = ModelSplitter.split(dir, stages, out);
    for (int k = 0; k < ranges.size(); k++) {
      w.printf("stage %d: layers %s -> %s%n", k, ranges.get(k), out.resolve("stage-" + k));
    }
    w.println("manifest: " + out.resolve("manifest.json"));
    w.flush();
    return 0;
  }
}
