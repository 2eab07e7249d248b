package dev.sluice.model.convert;

import dev.sluice.model.Architecture;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Converts a llama2.c checkpoint (legacy fp32 "v0": seven int32 header fields dim, hidden_dim,
 * n_layers, n_heads, n_kv_heads, vocab_size (negative = separate classifier), seq_len, then fp32
 * tensors) into the Hugging Face layout. Query and key rows are permuted from llama2.c's
 * interleaved RoPE pairs to the rotate_half convention, as Hugging Face's exporter does. The
 * tokenizer is copied as is (llama2.c format, read by {@link dev.sluice.model.tokenizer.Llama2cTokenizer}).
 */
public final class Llama2cImporter {
  private Llama2cImporter() {}

  public static ModelConfig convert(Path checkpoint, Path tokenizer, Path out) throws IOException {
    ByteBuffer file;
    try (FileChannel ch = FileChannel.open(checkpoint, StandardOpenOption.READ)) {
      file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
    }
    int dim = file.getInt(), hidden = file.getInt(), layers = file.getInt(), heads = file.getInt();
    int kvHeads = file.getInt(), vocab = file.getInt(), seqLen = file.getInt();
    boolean shared = vocab > 0;
    vocab = Math.abs(vocab);
    ModelConfig cfg = new ModelConfig(Architecture.LLAMA, vocab, dim, hidden, layers, heads, kvHeads, seqLen, 1e-5,
        10000.0, shared, 1, 2);
    int headDim = dim / heads;
    int kvDim = kvHeads * headDim;
    FloatBuffer f = file.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] embedding = take(f, vocab * dim);
    float[][] attNorm = takeEach(f, layers, dim);
    float[][] wq = takeEach(f, layers, dim * dim);
    float[][] wk = takeEach(f, layers, kvDim * dim);
    float[][] wv = takeEach(f, layers, kvDim * dim);
    float[][] wo = takeEach(f, layers, dim * dim);
    float[][] ffnNorm = takeEach(f, layers, dim);
    float[][] w1 = takeEach(f, layers, hidden * dim);
    float[][] w2 = takeEach(f, layers, dim * hidden);
    float[][] w3 = takeEach(f, layers, hidden * dim);
    float[] finalNorm = take(f, dim);
    f.position(f.position() + 2 * seqLen * headDim / 2); // freq_cis_real and _imag: recomputed from theta
    float[] classifier = shared ? null : take(f, vocab * dim);

    Files.createDirectories(out);
    cfg.write(out);
    Map<String, long[]> layout = TensorLayout.tensors(cfg);
    try (SafetensorsWriter w = SafetensorsWriter.f32(out.resolve("model.safetensors"), layout)) {
      w.write("model.embed_tokens.weight", embedding);
      for (int l = 0; l < layers; l++) {
        String p = "model.layers." + l + ".";
        w.write(p + "input_layernorm.weight", attNorm[l]);
        w.write(p + "self_attn.q_proj.weight", toRotateHalf(wq[l], heads, headDim, dim));
        w.write(p + "self_attn.k_proj.weight", toRotateHalf(wk[l], kvHeads, headDim, dim));
        w.write(p + "self_attn.v_proj.weight", wv[l]);
        w.write(p + "self_attn.o_proj.weight", wo[l]);
        w.write(p + "post_attention_layernorm.weight", ffnNorm[l]);
        w.write(p + "mlp.gate_proj.weight", w1[l]);
        w.write(p + "mlp.up_proj.weight", w3[l]);
        w.write(p + "mlp.down_proj.weight", w2[l]);
      }
      w.write("model.norm.weight", finalNorm);
      if (!shared) {
        w.write("lm_head.weight", classifier);
      }
    }
    if (tokenizer != null) {
      Files.copy(tokenizer, out.resolve(tokenizer.getFileName().toString().startsWith("tok")
          ? tokenizer.getFileName().toString() : "tokenizer.bin"), StandardCopyOption.REPLACE_EXISTING);
    }
    return cfg;
  }

  /**
   * llama2.c rotates interleaved pairs (rows 2i, 2i+1 of a head); rotate_half pairs row i with
   * row i + headDim/2. Row 2i + c of each head moves to c * headDim/2 + i. W: [heads × headDim, in].
   */
  static float[] toRotateHalf(float[] w, int heads, int headDim, int in) {
    float[] out = new float[w.length];
    int half = headDim / 2;
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        for (int c = 0; c < 2; c++) {
          int from = h * headDim + 2 * i + c;
          int to = h * headDim + c * half + i;
          System.arraycopy(w, from * in, out, to * in, in);
        }
      }
    }
    return out;
  }

  private static float[] take(FloatBuffer f, int n) {
    float[] a = new float[n];
    f.get(a);
    return a;
  }

  private static float[][] takeEach(FloatBuffer f, int layers, int n) {
    float[][] a = new float[layers][];
    for (int l = 0; l < layers; l++) {
      a[l] = take(f, n);
    }
    return a;
  }
}
