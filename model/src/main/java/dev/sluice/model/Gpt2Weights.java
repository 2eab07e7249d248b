package dev.sluice.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * GPT-2 blocks over a layer range: LayerNorm, learned positions, tanh-GELU MLP. Weights use the
 * Conv1D layout [in, out], so a linear layer is x @ W + b. Tensor names may carry a
 * "transformer." prefix (GPT2LMHeadModel) or not (GPT2Model); both are accepted.
 */
final class Gpt2Weights implements StageWeights {
  private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);

  private final ModelConfig cfg;
  private final LayerRange range;
  private final VocabWeights vocab; // token embedding (first stage) and LM head (last stage)
  private final NDArray positionEmbedding; // [maxPositions, hidden]; first stage
  private final NDArray finalNormW; // [hidden]
  private final NDArray finalNormB; // [hidden]
  private final Layer[] layers;

  private record Layer(NDArray ln1W, NDArray ln1B, NDArray attnW, NDArray attnB, NDArray projW, NDArray projB,
      NDArray ln2W, NDArray ln2B, NDArray fcW, NDArray fcB, NDArray fcProjW, NDArray fcProjB) {}

  Gpt2Weights(ModelConfig cfg, LayerRange range, boolean first, boolean last, WeightLoader w) {
    this.cfg = cfg;
    this.range = range;
    String p = w.source().tensors().keySet().stream().anyMatch(n -> n.startsWith("transformer.")) ? "transformer." : "";
    long h = cfg.hiddenSize();
    long inner = cfg.intermediateSize();
    vocab = VocabWeights.load(w, cfg, p + "wte.weight", cfg.tieWordEmbeddings() ? null : "lm_head.weight", first, last);
    positionEmbedding = first ? w.load(p + "wpe.weight", cfg.maxPositions(), h) : null;
    finalNormW = last ? w.load(p + "ln_f.weight", h) : null;
    finalNormB = last ? w.load(p + "ln_f.bias", h) : null;
    layers = new Layer[range.size()];
    for (int i = 0; i < layers.length; i++) {
      String l = p + "h." + (range.start() + i) + ".";
      layers[i] = new Layer(
          w.load(l + "ln_1.weight", h), w.load(l + "ln_1.bias", h),
          w.load(l + "attn.c_attn.weight", h, 3 * h), w.load(l + "attn.c_attn.bias", 3 * h),
          w.load(l + "attn.c_proj.weight", h, h), w.load(l + "attn.c_proj.bias", h),
          w.load(l + "ln_2.weight", h), w.load(l + "ln_2.bias", h),
          w.load(l + "mlp.c_fc.weight", h, inner), w.load(l + "mlp.c_fc.bias", inner),
          w.load(l + "mlp.c_proj.weight", inner, h), w.load(l + "mlp.c_proj.bias", h));
    }
  }

  @Override
  public NDArray embed(Step step, int[] tokenIds) {
    for (int pos : step.positions) {
      if (pos >= cfg.maxPositions()) {
        throw new IllegalArgumentException("position " + pos + " is beyond GPT-2's " + cfg.maxPositions() + " positions");
      }
    }
    NDArray tokens = vocab.embed(step.manager, tokenIds); // [T, hidden]
    return tokens.add(positionEmbedding.get(step.manager.create(step.positions))); // [T, hidden]
  }

  @Override
  public NDArray block(Step step, int layer, NDArray x) {
    Layer l = layers[layer - range.start()];
    int t = step.tokens();
    NDArray qkv = layerNormThen(x, l.ln1W(), l.ln1B()).matMul(l.attnW()).add(l.attnB()); // [T, 3 * hidden]: q | k | v
    NDList parts = qkv.split(3, 1);
    NDArray q = parts.get(0).reshape(t, cfg.numHeads(), cfg.headDim()); // [T, heads, D]
    NDArray k = parts.get(1).reshape(t, cfg.numKvHeads(), cfg.headDim());
    NDArray v = parts.get(2).reshape(t, cfg.numKvHeads(), cfg.headDim());
    NDArray att = Attention.attend(step, q, k, v, layer - range.start(), cfg); // [T, hidden]
    x = x.add(att.matMul(l.projW()).add(l.projB()));
    NDArray inner = geluTanh(layerNormThen(x, l.ln2W(), l.ln2B()).matMul(l.fcW()).add(l.fcB())); // [T, inner]
    return x.add(inner.matMul(l.fcProjW()).add(l.fcProjB())); // [T, hidden]
  }

  @Override
  public NDArray head(NDArray x) {
    return vocab.head(layerNormThen(x, finalNormW, finalNormB)); // [R, vocab]
  }

  private NDArray layerNormThen(NDArray x, NDArray weight, NDArray bias) {
    NDArray mean = x.mean(new int[] {-1}, true); // [T, 1]
    NDArray centered = x.sub(mean);
    NDArray variance = centered.mul(centered).mean(new int[] {-1}, true); // [T, 1]
    return centered.div(variance.add((float) cfg.normEps()).sqrt()).mul(weight).add(bias);
  }

  /** GPT-2's tanh approximation of GELU (DJL's gelu is the erf form, which differs slightly). */
  private static NDArray geluTanh(NDArray x) {
    NDArray cube = x.mul(x).mul(x);
    NDArray inner = x.add(cube.mul(0.044715f)).mul(GELU_C).tanh();
    return x.mul(inner.add(1f)).mul(0.5f);
  }
}
