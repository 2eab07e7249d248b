package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Llama-style blocks over a layer range: RMSNorm, RoPE (Hugging Face rotate_half convention, with
 * llama3/linear scaling), grouped-query attention, SiLU-gated MLP. The same blocks serve Mistral,
 * Qwen2 (q/k/v bias) and Qwen3 (per-head RMSNorm of q and k before RoPE); {@link ModelConfig} says
 * which optional tensors a layer has. Linear weights keep the HF layout [out, in].
 */
final class LlamaWeights implements StageWeights {
  private final ModelConfig cfg;
  private final LayerRange range;
  private final VocabWeights vocab; // embedding (first stage) and LM head (last stage)
  private final NDArray finalNorm; // [hidden]; last stage
  private final Layer[] layers;
  private final double[] invFreq; // [headDim / 2]

  /**
   * Linear weights are stored transposed ([in, out] views of the HF [out, in] tensors) so a linear
   * layer is one matMul; q, k, v are fused into one matrix, and so are gate and up.
   */
  private record Layer(NDArray inputNorm, NDArray qkvT, NDArray qkvBias, NDArray qNorm, NDArray kNorm, NDArray oT,
      NDArray oBias, NDArray postNorm, NDArray gateUpT, NDArray gateUpBias, NDArray downT, NDArray downBias) {}

  private final NDArray rotateHalf; // [headDim, headDim]: x @ R = rotate_half(x) = [-x2, x1]

  LlamaWeights(ModelConfig cfg, LayerRange range, boolean first, boolean last, WeightLoader w) {
    this.cfg = cfg;
    this.range = range;
    long h = cfg.hiddenSize();
    long kvDim = cfg.kvDim();
    long inter = cfg.intermediateSize();
    vocab = VocabWeights.load(w, cfg, "model.embed_tokens.weight", cfg.tieWordEmbeddings() ? null : "lm_head.weight",
        first, last);
    finalNorm = last ? w.load("model.norm.weight", h) : null;
    long q = cfg.qDim();
    long d = cfg.headDim();
    layers = new Layer[range.size()];
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + (range.start() + i) + ".";
      String a = p + "self_attn.";
      NDArray qkv = fuse(w.load(a + "q_proj.weight", q, h), w.load(a + "k_proj.weight", kvDim, h),
          w.load(a + "v_proj.weight", kvDim, h)); // [q + 2 kvDim, hidden]
      NDArray qkvBias = cfg.qkvBias()
          ? fuse(w.load(a + "q_proj.bias", q), w.load(a + "k_proj.bias", kvDim), w.load(a + "v_proj.bias", kvDim))
          : null; // [q + 2 kvDim]
      String m = p + "mlp.";
      NDArray gateUp = fuse(w.load(m + "gate_proj.weight", inter, h), w.load(m + "up_proj.weight", inter, h));
      layers[i] = new Layer(
          w.load(p + "input_layernorm.weight", h),
          qkv.transpose(),
          qkvBias,
          cfg.qkNorm() ? w.load(a + "q_norm.weight", d) : null,
          cfg.qkNorm() ? w.load(a + "k_norm.weight", d) : null,
          w.load(a + "o_proj.weight", h, q).transpose(),
          cfg.outputBias() ? w.load(a + "o_proj.bias", h) : null,
          w.load(p + "post_attention_layernorm.weight", h),
          gateUp.transpose(),
          cfg.mlpBias() ? fuse(w.load(m + "gate_proj.bias", inter), w.load(m + "up_proj.bias", inter)) : null,
          w.load(m + "down_proj.weight", h, inter).transpose(),
          cfg.mlpBias() ? w.load(m + "down_proj.bias", h) : null);
    }
    int half = cfg.headDim() / 2;
    float[] r = new float[cfg.headDim() * cfg.headDim()];
    for (int j = 0; j < half; j++) {
      r[(j + half) * cfg.headDim() + j] = -1f; // out[j] = -x[j + half]
      r[j * cfg.headDim() + j + half] = 1f; // out[j + half] = x[j]
    }
    rotateHalf = w.manager().create(r, new Shape(cfg.headDim(), cfg.headDim()));
    invFreq = cfg.rope().inverseFrequencies(cfg.headDim());
  }

  @Override
  public NDArray embed(Step step, int[] tokenIds) {
    return vocab.embed(step.manager, tokenIds); // [T, hidden]
  }

  @Override
  public void prepare(Step step) {
    step.ropeTables = ropeTables(step.manager, step.positions);
  }

  @Override
  public NDArray block(Step step, int layer, NDArray x) {
    Layer l = layers[layer - range.start()];
    int t = step.tokens();
    NDArray[] rope = step.ropeTables; // cos, sin: [T, 1, headDim]
    NDArray h = rmsNorm(x, l.inputNorm()); // [T, hidden]
    long qDim = cfg.qDim();
    NDList qkv = linear(h, l.qkvT(), l.qkvBias()).split(new long[] {qDim, qDim + cfg.kvDim()}, 1); // q | k | v
    NDArray q = qkv.get(0).reshape(t, cfg.numHeads(), cfg.headDim()); // [T, heads, D]
    NDArray k = qkv.get(1).reshape(t, cfg.numKvHeads(), cfg.headDim()); // [T, kvHeads, D]
    NDArray v = qkv.get(2).reshape(t, cfg.numKvHeads(), cfg.headDim()); // [T, kvHeads, D]
    if (l.qNorm() != null) { // Qwen3: RMSNorm over each head's D features
      q = rmsNorm(q, l.qNorm()); // [T, heads, D]
      k = rmsNorm(k, l.kNorm()); // [T, kvHeads, D]
    }
    q = applyRope(q, rope[0], rope[1]);
    k = applyRope(k, rope[0], rope[1]);
    NDArray att = Attention.attend(step, q, k, v, layer - range.start(), cfg); // [T, heads × D]
    x = x.add(linear(att, l.oT(), l.oBias())); // [T, hidden]
    h = rmsNorm(x, l.postNorm());
    NDList gateUp = linear(h, l.gateUpT(), l.gateUpBias()).split(2, 1); // gate, up: [T, inter] each
    NDArray gate = gateUp.get(0);
    NDArray mlp = gate.mul(Activation.sigmoid(gate)).mul(gateUp.get(1)); // SiLU(gate) * up: [T, inter]
    return x.add(linear(mlp, l.downT(), l.downBias())); // [T, hidden]
  }

  /** x @ wT (+ bias): [T, in] -> [T, out]. */
  private static NDArray linear(NDArray x, NDArray wT, NDArray bias) {
    NDArray y = x.matMul(wT);
    return bias == null ? y : y.add(bias);
  }

  @Override
  public NDArray head(NDArray x) {
    return vocab.head(rmsNorm(x, finalNorm)); // [R, vocab]
  }

  /** Stacks weights [out_i, in] into one [sum out_i, in], freeing the parts. */
  private static NDArray fuse(NDArray... parts) {
    NDArray fused = NDArrays.concat(new NDList(parts), 0);
    for (NDArray p : parts) {
      p.close();
    }
    return fused;
  }

  /** RMSNorm over the last axis: [..., n] with weight [n]. */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray meanSquare = x.mul(x).mean(new int[] {-1}, true); // [..., 1]
    return x.div(meanSquare.add((float) cfg.normEps()).sqrt()).mul(weight);
  }

  /** cos and sin of position × inverse frequency, duplicated over both halves of a head: [T, 1, D]. */
  private NDArray[] ropeTables(NDManager step, int[] positions) {
    int d = cfg.headDim();
    int half = d / 2;
    float[] cos = new float[positions.length * d];
    float[] sin = new float[positions.length * d];
    for (int t = 0; t < positions.length; t++) {
      for (int i = 0; i < half; i++) {
        double angle = positions[t] * invFreq[i];
        cos[t * d + i] = cos[t * d + half + i] = (float) Math.cos(angle);
        sin[t * d + i] = sin[t * d + half + i] = (float) Math.sin(angle);
      }
    }
    Shape shape = new Shape(positions.length, 1, d);
    return new NDArray[] {step.create(cos, shape), step.create(sin, shape)};
  }

  /** x * cos + rotate_half(x) * sin; rotate_half as a matMul with a ±1 permutation matrix (exact). */
  private NDArray applyRope(NDArray x, NDArray cos, NDArray sin) {
    return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
  }
}
