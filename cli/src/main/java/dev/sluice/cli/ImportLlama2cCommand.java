package dev.sluice.cli;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.convert.Llama2cImporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Convert a llama2.c checkpoint and tokenizer to the Hugging Face layout. */
@Command(name = "import-llama2c", mixinStandardHelpOptions = true,
    description = "Convert a llama2.c checkpoint (+ tokenizer) to config.json + model.safetensors (Hugging Face layout).")
public final class ImportLlama2cCommand extends PrintingCommand {

  @Option(names = "--checkpoint", required = true, description = "llama2.c checkpoint, e.g. stories260K.bin.")
  Path checkpoint;

  @Option(names = "--tokenizer", description = "llama2.c tokenizer, e.g. tok512.bin (copied alongside).")
  Path tokenizer;

  @Mixin OutputModelOption out;

  @Override
  int run(PrintWriter w) throws IOException {
    ModelConfig cfg = Llama2cImporter.convert(checkpoint, tokenizer, out.dir);
    w.println(out.wrote(cfg));
    return 0;
  }
}
