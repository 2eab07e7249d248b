package dev.sluice.cli;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.RandomModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Write a model of any shape with seeded random weights (for benchmarks). */
@Command(name = "init-model", mixinStandardHelpOptions = true,
    description = "Write config.json + model.safetensors with seeded random weights. Presets: tiny-llama, tiny-gpt2, "
        + "gpt2-small, llama-1b, and the real configs qwen3-0.6b, llama3.2-1b, smollm2-135m; or key=val,... (arch, vocab, hidden, intermediate, layers, heads, kv_heads, head_dim, positions, "
        + "eps, theta, tied), optionally after a preset. Without --tokenizer the model takes bytes as tokens (id = byte + 3).")
public final class InitModelCommand extends PrintingCommand {

  @Option(names = "--shape", required = true, description = "PRESET or PRESET,key=val,... or key=val,...")
  String shape;

  @Mixin OutputModelOption out;

  @Option(names = "--seed", defaultValue = "0", description = "Weight seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--tokenizer", description = "Directory whose tokenizer files (tokenizer.json, tok*.bin) to copy.")
  Path tokenizer;

  @Override
  int run(PrintWriter w) throws IOException {
    ModelConfig cfg = RandomModel.parseShape(shape);
    RandomModel.write(cfg, out.dir, seed, LinePrinter.to(w));
    if (tokenizer != null) {
      try (var files = Files.list(tokenizer)) {
        for (Path f : files.toList()) {
          String n = f.getFileName().toString();
          if (n.startsWith("tokenizer") || (n.startsWith("tok") && n.endsWith(".bin"))) {
            Files.copy(f, out.dir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    w.println(out.wrote(cfg) + ", seed " + seed);
    return 0;
  }
}
