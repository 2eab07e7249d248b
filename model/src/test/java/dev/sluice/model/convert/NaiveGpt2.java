package dev.sluice.model.convert;

import dev.sluice.model.ModelConfig;
import dev.sluice.model.weights.TensorSource;

/**
 * A deliberately plain GPT-2 forward in Java loops (no KV cache, no DJL), written from the GPT-2
 * paper and Hugging Face's modeling_gpt2 semantics, as an independent check of the DJL blocks.
 */
final class NaiveGpt2 {
  private final ModelConfig c;
  private final TensorSource w;

  NaiveGpt2(ModelConfig c, TensorSource w) {
    this.c = c;
    this.w = w;
  }

  float[] t(String name) {
    var info = w.tensors().get(name);
    float[] a = new float[(int) info.elements()];
    w.f32(name, info.shape()).asFloatBuffer().get(a);
    return a;
  }

  /** Logits [T][vocab] of every position. */
  float[][] logits(int[] tokens) {
    int T = tokens.length, H = c.hiddenSize(), nh = c.numHeads(), d = c.headDim(), I = c.intermediateSize();
    float[] wte = t("wte.weight"), wpe = t("wpe.weight");
    float[][] x = new float[T][H];
    for (int i = 0; i < T; i++) {
      for (int j = 0; j < H; j++) {
        x[i][j] = wte[tokens[i] * H + j] + wpe[i * H + j];
      }
    }
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "h." + l + ".";
      float[][] h = layerNorm(x, t(p + "ln_1.weight"), t(p + "ln_1.bias"));
      float[][] qkv = conv1d(h, t(p + "attn.c_attn.weight"), t(p + "attn.c_attn.bias"), 3 * H);
      float[][] att = new float[T][H];
      for (int head = 0; head < nh; head++) {
        for (int i = 0; i < T; i++) {
          double[] s = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k <= i; k++) {
            double dot = 0;
            for (int e = 0; e < d; e++) {
              dot += qkv[i][head * d + e] * qkv[k][H + head * d + e];
            }
            s[k] = dot / Math.sqrt(d);
            max = Math.max(max, s[k]);
          }
          double sum = 0;
          for (int k = 0; k <= i; k++) {
            s[k] = Math.exp(s[k] - max);
            sum += s[k];
          }
          for (int e = 0; e < d; e++) {
            double v = 0;
            for (int k = 0; k <= i; k++) {
              v += s[k] / sum * qkv[k][2 * H + head * d + e];
            }
            att[i][head * d + e] = (float) v;
          }
        }
      }
      add(x, conv1d(att, t(p + "attn.c_proj.weight"), t(p + "attn.c_proj.bias"), H));
      float[][] fc = conv1d(layerNorm(x, t(p + "ln_2.weight"), t(p + "ln_2.bias")), t(p + "mlp.c_fc.weight"),
          t(p + "mlp.c_fc.bias"), I);
      for (float[] row : fc) {
        for (int j = 0; j < row.length; j++) {
          double v = row[j];
          row[j] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        }
      }
      add(x, conv1d(fc, t(p + "mlp.c_proj.weight"), t(p + "mlp.c_proj.bias"), H));
    }
    float[][] h = layerNorm(x, t("ln_f.weight"), t("ln_f.bias"));
    float[][] out = new float[T][c.vocabSize()];
    for (int i = 0; i < T; i++) {
      for (int v = 0; v < c.vocabSize(); v++) {
        double dot = 0;
        for (int j = 0; j < H; j++) {
          dot += h[i][j] * wte[v * H + j];
        }
        out[i][v] = (float) dot;
      }
    }
    return out;
  }

  private float[][] layerNorm(float[][] x, float[] g, float[] b) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      double mean = 0, var = 0;
      for (float v : x[i]) {
        mean += v;
      }
      mean /= x[i].length;
      for (float v : x[i]) {
        var += (v - mean) * (v - mean);
      }
      var /= x[i].length;
      out[i] = new float[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = (float) ((x[i][j] - mean) / Math.sqrt(var + c.normEps()) * g[j] + b[j]);
      }
    }
    return out;
  }

  /** Conv1D: y = x W + b with W stored [in, out]. */
  private static float[][] conv1d(float[][] x, float[] w, float[] b, int outDim) {
    int in = x[0].length;
    float[][] y = new float[x.length][outDim];
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < outDim; o++) {
        double s = b[o];
        for (int k = 0; k < in; k++) {
          s += x[i][k] * w[k * outDim + o];
        }
        y[i][o] = (float) s;
      }
    }
    return y;
  }

  private static void add(float[][] x, float[][] y) {
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        x[i][j] += y[i][j];
      }
    }
  }
}
