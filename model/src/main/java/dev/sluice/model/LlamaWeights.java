package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Llama blocks over a layer range: RMSNorm, RoPE (Hugging Face rotate_half convention), grouped-query
 * attention, SiLU-gated MLP. Linear weights keep the HF layout [out, in].
 */
final class LlamaWeights implements StageWeights {
  private final ModelConfig cfg;
  private final LayerRange range;
  private final NDArray embedding; // [vocab, hidden]; first stage, or last stage with tied head
  private final NDArray lmHead; // [vocab, hidden]; last stage
  private final NDArray finalNorm; // [hidden]; last stage
  private final Layer[] layers;
  private final double[] invFreq; // [headDim / 2]

  private record Layer(NDArray inputNorm, NDArray q, NDArray k, NDArray v, NDArray o, NDArray postNorm,
      NDArray gate, NDArray up, NDArray down) {}

  LlamaWeights(ModelConfig cfg, LayerRange range, boolean first, boolean last, WeightLoader w) {
    this.cfg = cfg;
    this.range = range;
    long h = cfg.hiddenSize();
    long kvDim = cfg.kvDim();
    long inter = cfg.intermediateSize();
    boolean needEmbedding = first || (last && cfg.tieWordEmbeddings());
    embedding = needEmbedding ? w.load("model.embed_tokens.weight", cfg.vocabSize(), h) : null;
    if (last) {
      finalNorm = w.load("model.norm.weight", h);
      lmHead = cfg.tieWordEmbeddings() ? embedding : w.load("lm_head.weight", cfg.vocabSize(), h);
    } else {
      finalNorm = null;
      lmHead = null;
    }
    layers = new Layer[range.size()];
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + (range.start() + i) + ".";
      layers[i] = new Layer(
          w.load(p + "input_layernorm.weight", h),
          w.load(p + "self_attn.q_proj.weight", h, h),
          w.load(p + "self_attn.k_proj.weight", kvDim, h),
          w.load(p + "self_attn.v_proj.weight", kvDim, h),
          w.load(p + "self_attn.o_proj.weight", h, h),
          w.load(p + "post_attention_layernorm.weight", h),
          w.load(p + "mlp.gate_proj.weight", inter, h),
          w.load(p + "mlp.up_proj.weight", inter, h),
          w.load(p + "mlp.down_proj.weight", h, inter));
    }
    int half = cfg.headDim() / 2;
    invFreq = new double[half];
    for (int i = 0; i < half; i++) {
      invFreq[i] = 1.0 / Math.pow(cfg.ropeTheta(), (2.0 * i) / cfg.headDim());
    }
  }

  @Override
  public NDArray embed(Step step, int[] tokenIds) {
    return embedding.get(step.manager.create(tokenIds)); // [T, hidden]
  }

  @Override
  public NDArray block(Step step, int layer, NDArray x) {
    Layer l = layers[layer - range.start()];
    int t = step.tokens();
    if (step.ropeTables == null) {
      step.ropeTables = ropeTables(step.manager, step.positions);
    }
    NDArray[] rope = step.ropeTables; // cos, sin: [T, 1, headDim]
    NDArray h = rmsNorm(x, l.inputNorm()); // [T, hidden]
    NDArray q = linear(h, l.q()).reshape(t, cfg.numHeads(), cfg.headDim()); // [T, heads, D]
    NDArray k = linear(h, l.k()).reshape(t, cfg.numKvHeads(), cfg.headDim()); // [T, kvHeads, D]
    NDArray v = linear(h, l.v()).reshape(t, cfg.numKvHeads(), cfg.headDim()); // [T, kvHeads, D]
    q = applyRope(q, rope[0], rope[1]);
    k = applyRope(k, rope[0], rope[1]);
    NDArray att = Attention.attend(step, q, k, v, layer - range.start(), cfg); // [T, hidden]
    x = x.add(linear(att, l.o()));
    h = rmsNorm(x, l.postNorm());
    NDArray gate = linear(h, l.gate()); // [T, inter]
    NDArray mlp = gate.mul(Activation.sigmoid(gate)).mul(linear(h, l.up())); // SiLU(gate) * up: [T, inter]
    return x.add(linear(mlp, l.down())); // [T, hidden]
  }

  @Override
  public NDArray head(NDArray x) {
    return linear(rmsNorm(x, finalNorm), lmHead); // [R, vocab]
  }

  /** x [T, in] times W^T for W [out, in]: [T, out]. */
  static NDArray linear(NDArray x, NDArray w) {
    return x.matMul(w.transpose());
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray meanSquare = x.mul(x).mean(new int[] {-1}, true); // [T, 1]
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

  /** x * cos + rotate_half(x) * sin, where rotate_half(x) = [-x2, x1] over the head's halves. */
  private NDArray applyRope(NDArray x, NDArray cos, NDArray sin) {
    int half = cfg.headDim() / 2;
    NDArray x1 = x.get(":, :, :" + half);
    NDArray x2 = x.get(":, :, " + half + ":");
    NDArray rotated = x2.neg().concat(x1, -1);
    return x.mul(cos).add(rotated.mul(sin));
  }
}
