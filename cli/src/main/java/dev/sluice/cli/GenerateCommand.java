package dev.sluice.cli;

import dev.sluice.model.StageModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Generate text in process: the reference the Kafka pipeline must reproduce token for token. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate text in process (the reference for the pipeline); prints tokens as they come, then tokens/s.")
public final class GenerateCommand extends ModelCommand {

  @Option(names = "--prompt", required = true, description = "Prompt text (BOS is added).")
  String prompt;

  @Option(names = "--max-tokens", defaultValue = "256", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = "--top-p", defaultValue = "1", description = "Nucleus mass; 1 = off (default: ${DEFAULT-VALUE}).")
  float topP;

  @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--stop", description = "Stop string (repeatable).")
  List<String> stop = List.of();

  @Option(names = "--quiet", description = "Print only the generated text (no prompt, no statistics), for scripts.")
  boolean quiet;

  /** --quiet: nothing but the generated text, so not the hub's lines either. */
  @Override
  Consumer<String> hubLines(PrintWriter out) {
    return quiet ? line -> {} : super.hubLines(out);
  }

  @Override
  int run(Path dir, PrintWriter out) {
    try (StageModel stage = StageModel.loadAll(dir); TextTokenizer tokenizer = Tokenizers.load(dir)) {
      int[] promptTokens = tokenizer.encode(prompt);
      Generator.Request request = new Generator.Request("generate", promptTokens,
          new SamplingParams(temperature, topP, topK, seed), new StopCondition(java.util.Set.copyOf(stage.config().eosTokenIds()), maxTokens, stop));
      if (!quiet) {
        out.print(prompt);
        out.flush();
      }
      long start = System.nanoTime();
      long[] firstToken = {0};
      Generator.Generation done = new Generator(List.of(stage), tokenizer).generate(request, (i, token, delta) -> {
        if (firstToken[0] == 0) {
          firstToken[0] = System.nanoTime();
        }
        if (!quiet) {
          out.print(delta);
          out.flush();
        }
      });
      long end = System.nanoTime();
      if (quiet) {
        out.println(done.text());
      } else {
        int n = done.tokens().length;
        double decodeSeconds = (end - firstToken[0]) / 1e9;
        out.println();
        out.printf("%d prompt tokens, %d generated (%s); first token after %.1f ms; %.1f tokens/s decode, %.1f tokens/s overall%n",
            promptTokens.length, n, done.stopReason().openAiName(), (firstToken[0] - start) / 1e6,
            n > 1 ? (n - 1) / decodeSeconds : 0.0, n / ((end - start) / 1e9));
      }
      return 0;
    }
  }
}
