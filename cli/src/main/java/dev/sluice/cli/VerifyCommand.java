package dev.sluice.cli;

import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.verify.GoldenCheck;
import dev.sluice.model.verify.GoldenLogits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Check a model (a conversion, a split) against golden logits from an independent implementation. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Run a golden file's tokens through the model (or an S-stage split) and compare every position's "
        + "logits: prints the max abs difference and the argmax agreement; exits 1 past the tolerance.",
        "Golden format: int32 T, int32 V, int32 tokens[T], float32 logits[T][V] (little-endian)."})
public final class VerifyCommand extends ModelCommand {
  static final int EXIT_MISMATCH = 1;

  @Option(names = "--golden", required = true, description = "Golden logits file.")
  Path golden;

  @Option(names = "--stages", defaultValue = "1",
      description = "Split the layers evenly into this many stages, chained in process (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = "--all-splits", description = "Check every split into contiguous layer ranges instead (2^(layers-1)).")
  boolean allSplits;

  @Option(names = "--chunk", defaultValue = "1",
      description = "Tokens per forward step: 1 feeds one per position like the reference; more is chunked prefill "
          + "(default: ${DEFAULT-VALUE}).")
  int chunk;

  @Option(names = "--tolerance", defaultValue = "1e-4", description = "Largest allowed |logit - golden| (default: ${DEFAULT-VALUE}).")
  float tolerance;

  @Override
  int run(Path dir, PrintWriter out) throws IOException {
    ModelConfig cfg = ModelConfig.read(dir);
    if (chunk < 1) throw badUsage("--chunk must be >= 1");
    if (!allSplits && (stages < 1 || stages > cfg.numLayers())) {
      throw badUsage("--stages must be between 1 and the model's " + cfg.numLayers()
          + " layers");
    }
    GoldenLogits g = GoldenLogits.read(golden);
    List<List<LayerRange>> splits = allSplits ? GoldenCheck.allSplits(cfg.numLayers())
        : List.of(LayerRange.split(cfg.numLayers(), stages));
    out.printf(Locale.ROOT, "%s (%s, %d layers) against %s: %d positions, vocab %d, tolerance %.1e%n", model,
        cfg.modelType(), cfg.numLayers(), golden.getFileName(), g.tokens().length, g.vocabSize(), tolerance);
    boolean allPass = true;
    for (List<LayerRange> split : splits) {
      GoldenCheck.Result r = GoldenCheck.run(dir, split, g, chunk);
      boolean pass = r.passes(tolerance);
      allPass &= pass;
      out.printf(Locale.ROOT, "%-4s layers %-24s max abs diff %.3e (position %d), argmax agrees at %d/%d positions%n",
          pass ? "ok" : "FAIL", split.stream().map(LayerRange::toString).collect(Collectors.joining(" | ")),
          r.maxAbsDiff(), r.worstPosition(), r.argmaxAgreed(), r.argmaxCompared());
      out.flush();
    }
    out.println(allPass ? String.format(Locale.ROOT, "verified: every position within %.1e with the same argmax", tolerance)
        : "MISMATCH: past the tolerance or a different argmax");
    return allPass ? 0 : EXIT_MISMATCH;
  }
}
