package dev.sluice.model.convert;

import dev.sluice.model.Architecture;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Hugging Face tensor names and shapes of a model, and which stage each tensor belongs to. */
public final class TensorLayout {
  private static final Pattern LAYER = Pattern.compile("(?:^|\\.)(?:layers|h)\\.(\\d+)\\.");

  private TensorLayout() {}

  /** Every tensor of the model, name → shape, in checkpoint order. */
  public static Map<String, long[]> tensors(ModelConfig c) {
    Map<String, long[]> t = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long inter = c.intermediateSize();
    if (c.architecture() == Architecture.GPT2) {
      t.put("wte.weight", new long[] {c.vocabSize(), h});
      t.put("wpe.weight", new long[] {c.maxPositions(), h});
      for (int i = 0; i < c.numLayers(); i++) {
        String p = "h." + i + ".";
        t.put(p + "ln_1.weight", new long[] {h});
        t.put(p + "ln_1.bias", new long[] {h});
        t.put(p + "attn.c_attn.weight", new long[] {h, 3 * h});
        t.put(p + "attn.c_attn.bias", new long[] {3 * h});
        t.put(p + "attn.c_proj.weight", new long[] {h, h});
        t.put(p + "attn.c_proj.bias", new long[] {h});
        t.put(p + "ln_2.weight", new long[] {h});
        t.put(p + "ln_2.bias", new long[] {h});
        t.put(p + "mlp.c_fc.weight", new long[] {h, inter});
        t.put(p + "mlp.c_fc.bias", new long[] {inter});
        t.put(p + "mlp.c_proj.weight", new long[] {inter, h});
        t.put(p + "mlp.c_proj.bias", new long[] {h});
      }
      t.put("ln_f.weight", new long[] {h});
      t.put("ln_f.bias", new long[] {h});
    } else {
      long kv = c.kvDim();
      long q = c.qDim();
      t.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
      for (int i = 0; i < c.numLayers(); i++) {
        String p = "model.layers." + i + ".";
        t.put(p + "input_layernorm.weight", new long[] {h});
        putLinears(t, p + "self_attn.", c.qkvBias(), new Linear("q_proj", q, h), new Linear("k_proj", kv, h),
            new Linear("v_proj", kv, h));
        if (c.qkNorm()) {
          t.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
          t.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
        }
        putLinears(t, p + "self_attn.", c.outputBias(), new Linear("o_proj", h, q));
        t.put(p + "post_attention_layernorm.weight", new long[] {h});
        putLinears(t, p + "mlp.", c.mlpBias(), new Linear("gate_proj", inter, h), new Linear("up_proj", inter, h),
            new Linear("down_proj", h, inter));
      }
      t.put("model.norm.weight", new long[] {h});
    }
    if (!c.tieWordEmbeddings()) {
      t.put("lm_head.weight", new long[] {c.vocabSize(), h});
    }
    return t;
  }

  /** A Llama-family linear layer: weight [out, in], and bias [out] where the config has biases. */
  private record Linear(String name, long out, long in) {}

  /** The weights of {@code linears}, then (with {@code bias}) their biases, in the checkpoint's order. */
  private static void putLinears(Map<String, long[]> t, String prefix, boolean bias, Linear... linears) {
    for (Linear l : linears) {
      t.put(prefix + l.name() + ".weight", new long[] {l.out(), l.in()});
    }
    if (bias) {
      for (Linear l : linears) {
        t.put(prefix + l.name() + ".bias", new long[] {l.out()});
      }
    }
  }

  /** Parameters of a model of this shape: the elements of every tensor of its Hugging Face layout. */
  public static long parameters(ModelConfig c) {
    return tensors(c).values().stream().mapToLong(TensorLayout::elements).sum();
  }

  /** Elements of a tensor of this shape. */
  public static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** The layer a tensor belongs to, if it is a block tensor. */
  public static OptionalInt layerOf(String name) {
    Matcher m = LAYER.matcher(name);
    return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /** Whether a stage running {@code range} needs tensor {@code name}. */
  public static boolean stageNeeds(String name, LayerRange range, ModelConfig c) {
    OptionalInt layer = layerOf(name);
    if (layer.isPresent()) {
      return range.contains(layer.getAsInt());
    }
    boolean first = range.isFirst();
    boolean last = range.isLastOf(c.numLayers());
    boolean tokenEmbedding = name.endsWith("embed_tokens.weight") || name.endsWith("wte.weight");
    if (tokenEmbedding) {
      return first || (last && c.tieWordEmbeddings());
    }
    if (name.endsWith("wpe.weight")) {
      return first;
    }
    if (name.equals("lm_head.weight") || name.endsWith("model.norm.weight") || name.contains("ln_f.")) {
      return last;
    }
    return first; // anything else (e.g. stray buffers) rides with the first stage
  }
}
