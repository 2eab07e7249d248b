package dev.sluice.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Convert a llama2.c checkpoint and tokenizer to the Hugging Face layout. */
@Command(name = "import-llama2c", mixinStandardHelpOptions = true, description = "Convert a llama2.c checkpoint and tokenizer to the Hugging Face layout.")
public final class ImportLlama2cCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new NotBuiltYetException("import-llama2c");
  }
}
