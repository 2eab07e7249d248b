package dev.sluice.model.convert;

import dev.sluice.model.Architecture;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.Rope;
import dev.sluice.model.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Seeded random weights of any shape (for benchmarks and tests; no hub is reachable here). Matrices
 * are N(0, 0.02²) as in GPT-2's init, norm scales 1, biases 0. Each tensor's stream is seeded from
 * (seed, tensor name), so a tensor's values do not depend on the order tensors are written in.
 * Models without a tokenizer use the byte tokenizer (token id = byte + 3).
 */
public final class RandomModel {
  private RandomModel() {}

  /**
   * Named shapes: tiny-llama, tiny-gpt2, gpt2-small (124M), llama-1b (Llama-3.2-1B's matrices, plain RoPE),
   * and the real configs of qwen3-0.6b (Qwen/Qwen3-0.6B), llama3.2-1b (meta-llama/Llama-3.2-1B) and
   * smollm2-135m (HuggingFaceTB/SmolLM2-135M).
   */
  public static final Map<String, ModelConfig> PRESETS = presets();

  private static Map<String, ModelConfig> presets() {
    Map<String, ModelConfig> p = new LinkedHashMap<>();
    p.put("tiny-llama", new ModelConfig(Architecture.LLAMA, 512, 128, 344, 4, 8, 4, 512, 1e-5, 10000, true, 1, 2));
    p.put("tiny-gpt2", new ModelConfig(Architecture.GPT2, 512, 128, 512, 4, 4, 4, 512, 1e-5, 0, true, 1, 2));
    p.put("gpt2-small", new ModelConfig(Architecture.GPT2, 50257, 768, 3072, 12, 12, 12, 1024, 1e-5, 0, true, 1, 2));
    p.put("llama-1b", new ModelConfig(Architecture.LLAMA, 128256, 2048, 8192, 16, 32, 8, 4096, 1e-5, 500000, true, 1, 2));
    // values from each model's config.json on the Hugging Face hub
    p.put("qwen3-0.6b", new ModelConfig(Architecture.LLAMA, "qwen3", 151936, 1024, 3072, 28, 16, 8, 128, 40960, 1e-6,
        Rope.plain(1_000_000), false, false, false, true, true, 151643, List.of(151645)));
    p.put("llama3.2-1b", new ModelConfig(Architecture.LLAMA, "llama", 128256, 2048, 8192, 16, 32, 8, 64, 131072, 1e-5,
        new Rope(500_000, Rope.LLAMA3, 32, 1, 4, 8192), false, false, false, false, true, 128000, List.of(128001)));
    p.put("smollm2-135m", new ModelConfig(Architecture.LLAMA, "llama", 49152, 576, 1536, 30, 9, 3, 64, 8192, 1e-5,
        Rope.plain(100_000), false, false, false, false, true, 0, List.of(0)));
    return java.util.Collections.unmodifiableMap(p);
  }

  /**
   * A shape from "PRESET", "PRESET,key=val,..." or "key=val,..." (starting from tiny-llama). Keys:
   * arch (llama|gpt2), vocab, hidden, intermediate, layers, heads, kv_heads, positions, eps, theta, tied.
   */
  public static ModelConfig parseShape(String spec) {
    String[] parts = spec.split(",");
    int from = 0;
    ModelConfig c = PRESETS.get("tiny-llama");
    if (!parts[0].contains("=")) {
      c = PRESETS.get(parts[0].trim());
      if (c == null) {
        throw new IllegalArgumentException("unknown shape preset '" + parts[0] + "'; presets: " + PRESETS.keySet());
      }
      from = 1;
    }
    Architecture arch = c.architecture();
    int vocab = c.vocabSize(), hidden = c.hiddenSize(), inter = c.intermediateSize(), layers = c.numLayers();
    int heads = c.numHeads(), kvHeads = c.numKvHeads(), positions = c.maxPositions();
    double eps = c.normEps(), theta = c.ropeTheta();
    int headDim = 0; // 0: the preset's own when hidden and heads are unchanged, else hidden / heads
    boolean tied = c.tieWordEmbeddings();
    boolean kvGiven = false;
    for (int i = from; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("shape part '" + parts[i] + "' is not key=value");
      }
      String v = kv[1].trim();
      switch (kv[0].trim()) {
        case "arch" -> arch = Architecture.valueOf(v.toUpperCase(java.util.Locale.ROOT));
        case "vocab" -> vocab = Integer.parseInt(v);
        case "hidden" -> hidden = Integer.parseInt(v);
        case "intermediate" -> inter = Integer.parseInt(v);
        case "layers" -> layers = Integer.parseInt(v);
        case "heads" -> heads = Integer.parseInt(v);
        case "kv_heads" -> {
          kvHeads = Integer.parseInt(v);
          kvGiven = true;
        }
        case "positions" -> positions = Integer.parseInt(v);
        case "eps" -> eps = Double.parseDouble(v);
        case "theta" -> theta = Double.parseDouble(v);
        case "tied" -> tied = Boolean.parseBoolean(v);
        case "head_dim" -> headDim = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown shape key '" + kv[0]
            + "'; keys: arch, vocab, hidden, intermediate, layers, heads, kv_heads, head_dim, positions, eps, theta, tied");
      }
    }
    if (arch == Architecture.GPT2 || !kvGiven && kvHeads > heads) {
      kvHeads = heads; // GPT-2 has no grouped-query attention
    }
    if (heads % kvHeads != 0) {
      kvHeads = heads;
    }
    if (headDim == 0) {
      headDim = hidden == c.hiddenSize() && heads == c.numHeads() ? c.headDim() : hidden / heads;
    }
    if (arch == Architecture.GPT2) {
      return new ModelConfig(arch, vocab, hidden, inter, layers, heads, kvHeads, positions, eps, theta, tied, 1, 2);
    }
    Rope rope = theta == c.ropeTheta() ? c.rope() : new Rope(theta, c.rope().type(), c.rope().factor(),
        c.rope().lowFreqFactor(), c.rope().highFreqFactor(), c.rope().originalMaxPositions());
    String type = c.architecture() == Architecture.LLAMA ? c.modelType() : "llama";
    return new ModelConfig(arch, type, vocab, hidden, inter, layers, heads, kvHeads, headDim, positions, eps, rope,
        c.qkvBias(), c.outputBias(), c.mlpBias(), c.qkNorm(), tied, c.bosTokenId(), c.eosTokenIds());
  }

  /** Writes config.json and model.safetensors for {@code config} into {@code out}. */
  public static void write(ModelConfig config, Path out, long seed, Consumer<String> progress) throws IOException {
    Files.createDirectories(out);
    config.write(out);
    Map<String, long[]> layout = TensorLayout.tensors(config);
    try (SafetensorsWriter w = SafetensorsWriter.f32(out.resolve("model.safetensors"), layout)) {
      int done = 0;
      for (Map.Entry<String, long[]> t : layout.entrySet()) {
        w.write(t.getKey(), values(t.getKey(), t.getValue(), seed));
        if (progress != null && ++done % 20 == 0) {
          progress.accept("wrote " + done + "/" + layout.size() + " tensors");
        }
      }
    }
  }

  /** The values of one tensor, f32 little-endian. */
  static ByteBuffer values(String name, long[] shape, long seed) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
    boolean norm = name.contains("norm") || name.contains("ln_");
    if (norm && name.endsWith("weight")) {
      for (long i = 0; i < n; i++) {
        buf.putFloat(1f);
      }
    } else if (!name.endsWith("bias")) {
      SplittableRandom r = new SplittableRandom(seed ^ fnv(name));
      for (long i = 0; i < n; i++) {
        buf.putFloat((float) (gaussian(r) * 0.02));
      }
    }
    return buf.clear();
  }

  private static double gaussian(SplittableRandom r) { // Box-Muller; SplittableRandom has no nextGaussian on 17
    double u = 1.0 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }
}
