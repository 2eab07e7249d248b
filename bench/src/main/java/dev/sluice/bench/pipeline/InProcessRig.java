package dev.sluice.bench.pipeline;

import dev.sluice.model.ComputeThreads;
import dev.sluice.model.CoreWait;
import dev.sluice.model.StageModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The in-process reference: the whole model in one {@link Generator}, on one thread that uses T
 * PyTorch threads — the same cores the S-stage pipeline gets (one thread per stage).
 */
final class InProcessRig implements AutoCloseable {
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-in-process"));
  private final StageModel model;
  private final TextTokenizer tokenizer;
  private final Generator generator;

  InProcessRig(Path modelDir, int threads) throws Exception {
    this.model = StageModel.loadAll(modelDir);
    this.tokenizer = Tokenizers.load(modelDir);
    this.generator = new Generator(List.of(model), tokenizer);
    thread.submit(() -> ComputeThreads.use(threads)).get();
  }

  /** Generates for every prompt at once; generated tokens per second. */
  double tokensPerSecond(List<int[]> prompts, int maxTokens, String idPrefix) throws Exception {
    return thread.submit(() -> {
      long t0 = System.nanoTime();
      List<Generator.Generation> done = generator.generate(requests(prompts, maxTokens, idPrefix), null);
      double seconds = (System.nanoTime() - t0) / 1e9;
      return done.stream().mapToLong(c -> c.tokens().length).sum() / seconds;
    }).get();
  }

  /** Milliseconds per token after the first, and of those how many the thread waited for a core. */
  record PerToken(double millis, double coreWaitMillis) {}

  /** One request alone. */
  PerToken perToken(int[] prompt, int maxTokens) throws Exception {
    return thread.submit(() -> {
      long[] times = new long[maxTokens + 1];
      long[] waitedAtFirst = {0};
      int[] n = {0};
      generator.generate(requests(List.of(prompt), maxTokens, "single").get(0), (i, token, delta) -> {
        if (n[0] == 0) waitedAtFirst[0] = CoreWait.totalNanos(); // read only at the ends: not in the timed path
        times[n[0]++] = System.nanoTime();
      });
      long waited = CoreWait.totalNanos() - waitedAtFirst[0];
      int after = Math.max(1, n[0] - 1);
      return new PerToken((times[n[0] - 1] - times[0]) / 1e6 / after, waited / 1e6 / after);
    }).get();
  }

  private List<Generator.Request> requests(List<int[]> prompts, int maxTokens, String idPrefix) {
    List<Generator.Request> out = new ArrayList<>();
    for (int r = 0; r < prompts.size(); r++) {
      // the same stop rule as the pipeline's last stage: EOS or maxTokens
      out.add(new Generator.Request(idPrefix + r, prompts.get(r), SamplingParams.GREEDY,
          new StopCondition(tokenizer.eosId(), maxTokens, List.of())));
    }
    return out;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    tokenizer.close();
    model.close();
  }
}
