package dev.sluice.model.tokenizer;

import dev.sluice.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Picks a model directory's tokenizer. */
public final class Tokenizers {
  private Tokenizers() {}

  /**
   * {@code tokenizer.json} (Hugging Face) if present; else a llama2.c {@code tokenizer.bin} or
   * {@code tok*.bin}; else, for models without one (seeded random models), a byte tokenizer.
   */
  public static TextTokenizer load(Path modelDir) {
    ModelConfig cfg = ModelConfig.read(modelDir);
    Path json = modelDir.resolve("tokenizer.json");
    if (Files.exists(json)) {
      return new HuggingFaceTextTokenizer(json, cfg.bosTokenId(), cfg.eosTokenIds(), cfg.vocabSize());
    }
    try (var files = Files.list(modelDir)) {
      Path bin = files.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".bin") && (n.startsWith("tok") || n.equals("tokenizer.bin"));
      }).sorted().findFirst().orElse(null);
      if (bin != null) {
        return new Llama2cTokenizer(bin, cfg.vocabSize(), cfg.bosTokenId(), cfg.eosTokenId());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer in " + modelDir, e);
    }
    return new ByteTokenizer(cfg.vocabSize());
  }
}
