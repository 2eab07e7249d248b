package dev.sluice.bench.model;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.SequenceKv;
import dev.sluice.model.StageModel;
import dev.sluice.model.StepInput;
import dev.sluice.model.StepOutput;
import dev.sluice.model.convert.RandomModel;
import dev.sluice.model.convert.TensorLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prefill and decode throughput of the in-process forward at several batch sizes, for stories260K
 * and random models at real shapes (GPT-2-small by default, any {@code init-model} preset with
 * {@code --shape}: qwen3-0.6b, llama3.2-1b, smollm2-135m), written to a temporary directory and deleted
 * afterwards.
 *
 * Run as {@code sluice bench model} (its options: {@code --help}).
 *
 * For each model it also prints the memory a stage holding the whole model needs (f32 weights, KV per
 * token) and how far decode at batch 1 is from the memory-bandwidth limit: every weight is read once per
 * decode step, so tokens/s at batch 1 cannot exceed measured bandwidth ÷ bytes of weights read per token.
 *
 * Prefill: B sequences of --prompt-tokens tokens in one batched step. Decode: then --decode-steps
 * steps of one token per sequence. Each batch size is warmed up, then run --repeat times keeping the
 * fastest; decode is also reported per CPU-second of the calling thread (with one PyTorch thread the
 * kernels run there), which is what to compare on a shared machine.
 */
public final class ModelBenchmark {

  /** One measured row. */
  public record Row(String model, int batch, double prefillTokensPerSecond, double decodeTokensPerSecond,
      double decodeStepMs, double decodeTokensPerCpuSecond) {}

  /** What a model needs in memory and reads per decode step. */
  public record Footprint(String model, long weightBytes, long weightBytesReadPerToken, long kvBytesPerToken) {}

  private final List<Footprint> footprints = new ArrayList<>();

  // With one PyTorch thread the kernels run on the calling thread, so its CPU time is the work done,
  // whatever else the machine is running; wall-clock figures on a shared machine are not.
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  private final PrintStream out;
  private final int promptTokens;
  private final int decodeSteps;
  private final int[] batches;
  private final int repeat;

  /** @param repeat runs per batch size; the fastest is kept (other load on a shared machine only slows runs down) */
  public ModelBenchmark(PrintStream out, int promptTokens, int decodeSteps, int[] batches, int repeat) {
    this.out = out;
    this.promptTokens = promptTokens;
    this.decodeSteps = decodeSteps;
    this.batches = batches;
    this.repeat = Math.max(1, repeat);
  }

  /** Benchmarks each model directory, then a random model of each shape; prints progress and the table. */
  public List<Row> run(List<Path> models, List<String> shapes) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (Path m : models) {
      rows.addAll(measure(m.getFileName().toString(), m));
    }
    for (String shape : shapes) {
      ModelConfig cfg = RandomModel.parseShape(shape);
      Path tmp = Files.createTempDirectory("sluice-bench-" + shape.replaceAll("[^A-Za-z0-9.-]", "_"));
      try {
        out.printf(Locale.ROOT, "writing a seeded random %s (%.0fM parameters) to %s ...%n", shape,
            TensorLayout.parameters(cfg) / 1e6, tmp);
        out.flush();
        RandomModel.write(cfg, tmp, 1, null);
        rows.addAll(measure(shape + " (random)", tmp));
      } finally {
        try (Stream<Path> files = Files.walk(tmp)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
    printTable(rows);
    printFootprints(rows, MemoryBandwidth.measure(out));
    return rows;
  }

  /** Benchmarks each model directory, plus a random GPT-2-small if asked. */
  public List<Row> run(List<Path> models, boolean withGpt2Small) throws IOException {
    return run(models, withGpt2Small ? List.of("gpt2-small") : List.of());
  }

  /**
   * f32 bytes of every weight; and of those a decode step reads: every matrix once, the LM head
   * included, but only one row of an input embedding that is not also the head.
   */
  static Footprint footprint(String name, ModelConfig cfg) {
    Map<String, long[]> tensors = TensorLayout.tensors(cfg);
    long all = 0;
    long read = 0;
    for (Map.Entry<String, long[]> t : tensors.entrySet()) {
      long bytes = TensorLayout.elements(t.getValue()) * Float.BYTES;
      all += bytes;
      boolean inputOnly = (t.getKey().endsWith("embed_tokens.weight") || t.getKey().endsWith("wte.weight")
          || t.getKey().endsWith("wpe.weight")) && !(cfg.tieWordEmbeddings() && !t.getKey().endsWith("wpe.weight"));
      read += inputOnly ? (long) cfg.hiddenSize() * Float.BYTES : bytes;
    }
    long kv = (long) cfg.numLayers() * 2 * cfg.kvDim() * Float.BYTES;
    return new Footprint(name, all, read, kv);
  }

  private List<Row> measure(String name, Path dir) {
    List<Row> rows = new ArrayList<>();
    try (StageModel model = StageModel.loadAll(dir)) {
      ModelConfig cfg = model.config();
      int prompt = Math.min(promptTokens, cfg.maxPositions() - decodeSteps - 1);
      out.printf(Locale.ROOT, "%s: %d layers, hidden %d, vocab %d; prompt %d tokens, %d decode steps%n", name,
          cfg.numLayers(), cfg.hiddenSize(), cfg.vocabSize(), prompt, decodeSteps);
      footprints.add(footprint(name, cfg));
      run(model, 1, prompt, 2); // warm-up: native library, allocator, kernels
      for (int batch : batches) {
        out.printf(Locale.ROOT, "  batch %d: prefill %d tokens, then %d decode steps ...%n", batch, batch * prompt,
            decodeSteps);
        out.flush();
        run(model, batch, Math.max(1, prompt / 8), 2); // warm-up at this batch size
        Timing t = null;
        for (int r = 0; r < repeat; r++) {
          Timing next = run(model, batch, prompt, decodeSteps);
          t = t == null ? next : new Timing(batch, Math.max(t.prefillTps(), next.prefillTps()),
              Math.max(t.decodeTps(), next.decodeTps()), Math.min(t.stepMs(), next.stepMs()),
              Math.max(t.decodeCpuTps(), next.decodeCpuTps()));
        }
        out.printf(Locale.ROOT, "  batch %d: prefill %.0f tokens/s, decode %.1f tokens/s (%.1f ms a step)%n", batch,
            t.prefillTps(), t.decodeTps(), t.stepMs());
        rows.add(t.withName(name));
      }
    }
    return rows;
  }

  private record Timing(int batch, double prefillTps, double decodeTps, double stepMs, double decodeCpuTps) {
    Row withName(String name) {
      return new Row(name, batch, prefillTps, decodeTps, stepMs, decodeCpuTps);
    }
  }

  private static Timing run(StageModel model, int batch, int prompt, int steps) {
    List<SequenceKv> kvs = new ArrayList<>();
    try {
      int vocab = model.config().vocabSize();
      List<StepInput> inputs = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        SequenceKv kv = model.newSequence(prompt + steps);
        kvs.add(kv);
        int[] tokens = new int[prompt];
        for (int t = 0; t < prompt; t++) {
          tokens[t] = 3 + (b * 31 + t * 7) % (vocab - 3);
        }
        inputs.add(StepInput.ofTokens(kv, tokens));
      }
      long start = System.nanoTime();
      List<StepOutput> outs = model.forward(inputs);
      double prefillSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      long cpuStart = CPU.getCurrentThreadCpuTime();
      for (int s = 0; s < steps; s++) {
        inputs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
          inputs.add(StepInput.ofTokens(kvs.get(b), argmax(outs.get(b).logits())));
        }
        outs = model.forward(inputs);
      }
      double decodeSeconds = (System.nanoTime() - start) / 1e9;
      double decodeCpuSeconds = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      return new Timing(batch, batch * prompt / prefillSeconds, batch * steps / decodeSeconds,
          decodeSeconds * 1000 / steps, batch * steps / decodeCpuSeconds);
    } finally {
      kvs.forEach(SequenceKv::close);
    }
  }

  private static int argmax(float[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      best = a[i] > a[best] ? i : best;
    }
    return best;
  }

  private void printTable(List<Row> rows) {
    out.println();
    out.println("| model | batch | prefill tokens/s | decode tokens/s | decode step ms | decode vs batch 1 "
        + "| decode tokens/CPU-s | CPU-s vs batch 1 |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      double base = atBatchOne(rows, r.model(), Row::decodeTokensPerSecond);
      double cpuBase = atBatchOne(rows, r.model(), Row::decodeTokensPerCpuSecond);
      out.printf(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.2f | %.2fx | %.1f | %.2fx |%n", r.model(), r.batch(),
          r.prefillTokensPerSecond(), r.decodeTokensPerSecond(), r.decodeStepMs(), r.decodeTokensPerSecond() / base,
          r.decodeTokensPerCpuSecond(), r.decodeTokensPerCpuSecond() / cpuBase);
    }
    out.flush();
  }

  /** A figure of the model's batch-1 row; NaN when it has none. */
  private static double atBatchOne(List<Row> rows, String model, java.util.function.ToDoubleFunction<Row> figure) {
    return rows.stream().filter(r -> r.model().equals(model) && r.batch() == 1).mapToDouble(figure).findFirst()
        .orElse(Double.NaN);
  }

  private void printFootprints(List<Row> rows, double bytesPerSecond) {
    out.println();
    out.printf(Locale.ROOT, "memory bandwidth, one thread reading a 1 GiB tensor: %.1f GB/s%n", bytesPerSecond / 1e9);
    out.println("| model | weights (f32) | KV per token | a stage with all layers, 16 × 512 tokens of KV "
        + "| weights read per token | batch-1 decode ceiling | measured | of ceiling |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Footprint f : footprints) {
      double measured = atBatchOne(rows, f.model(), Row::decodeTokensPerSecond);
      double ceiling = bytesPerSecond / f.weightBytesReadPerToken();
      out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f tokens/s | %.1f tokens/s | %.0f%% |%n", f.model(),
          bytes(f.weightBytes()), bytes(f.kvBytesPerToken()), bytes(f.weightBytes() + 16L * 512 * f.kvBytesPerToken()),
          bytes(f.weightBytesReadPerToken()), ceiling, measured, 100 * measured / ceiling);
    }
    out.flush();
  }

  private static String bytes(long b) {
    if (b >= 1L << 30) return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
    if (b >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
    return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
  }
}
