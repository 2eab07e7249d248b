package dev.sluice.cli;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.Llama2cImporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Convert a llama2.c checkpoint and tokenizer to the Hugging Face layout. */
@Command(name = "import-llama2c", mixinStandardHelpOptions = true,
    description = "Convert a llama2.c checkpoint (+ tokenizer) to config.json + model.safetensors (Hugging Face layout).")
public final class ImportLlama2cCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true, description = "llama2.c checkpoint, e.g. stories260K.bin.")
  Path checkpoint;

  @Option(names = "--tokenizer", description = "llama2.c tokenizer, e.g. tok512.bin (copied alongside).")
  Path tokenizer;

  @Option(names = "--out", required = true, description = "Output model directory.")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    ModelConfig cfg = Llama2cImporter.convert(checkpoint, tokenizer, out);
    w.printf("wrote %s: llama, %d layers, hidden %d, %d heads (%d KV), vocab %d%n", out, cfg.numLayers(),
        cfg.hiddenSize(), cfg.numHeads(), cfg.numKvHeads(), cfg.vocabSize());
    w.flush();
    return 0;
  }
}
