package dev.sluice.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A model's shape, mapped from Hugging Face {@code config.json} names. Families: {@code llama} (Llama
 * 2/3.x, SmolLM2), {@code mistral}, {@code qwen2} (Qwen2/2.5), {@code qwen3} run as Llama-style blocks
 * with the flags below; {@code gpt2} as GPT-2 blocks.
 *
 * @param architecture which family of blocks to build
 * @param modelType the config's model_type (llama, mistral, qwen2, qwen3, gpt2)
 * @param vocabSize number of token ids
 * @param hiddenSize width of the residual stream (llama hidden_size, gpt2 n_embd)
 * @param intermediateSize width of the MLP's inner layer (gpt2 n_inner, default 4 × hidden)
 * @param numLayers transformer blocks (num_hidden_layers, n_layer)
 * @param numHeads query heads (num_attention_heads, n_head)
 * @param numKvHeads key/value heads; fewer than numHeads means grouped-query attention
 * @param headDim width of one attention head (head_dim; default hidden / heads)
 * @param maxPositions longest sequence the model was built for (max_position_embeddings, n_positions)
 * @param normEps epsilon of RMSNorm / LayerNorm
 * @param rope RoPE base frequency and scaling (Llama-style only)
 * @param qkvBias bias on the q, k and v projections (llama attention_bias; always in qwen2)
 * @param outputBias bias on o_proj (llama and qwen3 attention_bias; never in qwen2)
 * @param mlpBias bias on gate, up and down projections (llama mlp_bias)
 * @param qkNorm per-head RMSNorm of q and k before RoPE (qwen3 q_norm / k_norm)
 * @param tieWordEmbeddings whether the LM head reuses the token embedding
 * @param bosTokenId beginning-of-sequence token
 * @param eosTokenIds end-of-sequence tokens (eos_token_id, a number or a list, with generation_config.json's)
 */
public record ModelConfig(
    Architecture architecture,
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int maxPositions,
    double normEps,
    Rope rope,
    boolean qkvBias,
    boolean outputBias,
    boolean mlpBias,
    boolean qkNorm,
    boolean tieWordEmbeddings,
    int bosTokenId,
    List<Integer> eosTokenIds) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.Map<String, String> ARCHITECTURES = java.util.Map.of("llama", "LlamaForCausalLM",
      "mistral", "MistralForCausalLM", "qwen2", "Qwen2ForCausalLM", "qwen3", "Qwen3ForCausalLM");
  static final List<String> LLAMA_STYLE = List.of("llama", "mistral", "qwen2", "qwen3");

  public ModelConfig {
    if (numHeads < 1 || numKvHeads < 1 || headDim < 1) {
      throw new IllegalArgumentException("heads, KV heads and head_dim must be positive");
    }
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(numHeads + " query heads are not a multiple of " + numKvHeads + " KV heads");
    }
    if (architecture == Architecture.GPT2 && headDim * numHeads != hiddenSize) {
      throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of " + numHeads + " heads");
    }
    if (headDim % 2 != 0 && architecture == Architecture.LLAMA) {
      throw new IllegalArgumentException("head_dim " + headDim + " must be even for RoPE");
    }
    modelType = modelType == null ? (architecture == Architecture.GPT2 ? "gpt2" : "llama") : modelType;
    rope = rope == null ? Rope.plain(10000) : rope;
    eosTokenIds = eosTokenIds == null || eosTokenIds.isEmpty() ? List.of(2) : List.copyOf(eosTokenIds);
  }

  /** A plain Llama-2 or GPT-2 shape: head_dim = hidden / heads, no biases, unscaled RoPE, one EOS. */
  public ModelConfig(Architecture architecture, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
      int numHeads, int numKvHeads, int maxPositions, double normEps, double ropeTheta, boolean tieWordEmbeddings,
      int bosTokenId, int eosTokenId) {
    this(architecture, null, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
        checkedHeadDim(hiddenSize, numHeads), maxPositions, normEps, Rope.plain(ropeTheta), false, false, false, false,
        tieWordEmbeddings, bosTokenId, List.of(eosTokenId));
  }

  private static int checkedHeadDim(int hidden, int heads) {
    if (heads < 1 || hidden % heads != 0) {
      throw new IllegalArgumentException("hidden size " + hidden + " is not a multiple of " + heads + " heads");
    }
    return hidden / heads;
  }

  /** RoPE base frequency. */
  public double ropeTheta() {
    return rope.theta();
  }

  /** The first end-of-sequence token (the one a tokenizer appends). */
  public int eosTokenId() {
    return eosTokenIds.get(0);
  }

  /** Query heads that share one KV head. */
  public int kvGroups() {
    return numHeads / numKvHeads;
  }

  /** Width of Q for one token: heads × headDim (not always hidden size: Qwen3, Llama with head_dim). */
  public int qDim() {
    return numHeads * headDim;
  }

  /** Width of K (or V) for one token in one layer: kvHeads × headDim. */
  public int kvDim() {
    return numKvHeads * headDim;
  }

  /** Reads {@code config.json} (and {@code generation_config.json}'s EOS tokens) from a model directory. */
  public static ModelConfig read(Path dirOrFile) {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
    ModelConfig config;
    try {
      config = fromJson(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model config " + file, e);
    }
    GenerationDefaults generation = GenerationDefaults.read(file.getParent());
    return config.withExtraEos(generation.eosTokenIds());
  }

  public static ModelConfig parse(String json) {
    try {
      return fromJson(JSON.readTree(json));
    } catch (IOException e) {
      throw new IllegalArgumentException("model config is not valid JSON", e);
    }
  }

  /** This config with {@code extra} EOS tokens added after its own (duplicates dropped). */
  public ModelConfig withExtraEos(List<Integer> extra) {
    LinkedHashSet<Integer> all = new LinkedHashSet<>(eosTokenIds);
    all.addAll(extra);
    return new ModelConfig(architecture, modelType, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads,
        numKvHeads, headDim, maxPositions, normEps, rope, qkvBias, outputBias, mlpBias, qkNorm, tieWordEmbeddings,
        bosTokenId, new ArrayList<>(all));
  }

  /** What config.json calls the fields that GPT-2 and the llama family both have. */
  private record JsonNames(String hidden, String inner, String layers, String heads, String positions, String eps) {
    static final JsonNames GPT2 = new JsonNames("n_embd", "n_inner", "n_layer", "n_head", "n_positions", "layer_norm_epsilon");
    static final JsonNames LLAMA = new JsonNames("hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "max_position_embeddings", "rms_norm_eps");
  }

  static ModelConfig fromJson(JsonNode n) {
    String type = n.path("model_type").asText("llama");
    if (type.equals("gpt2")) {
      JsonNames names = JsonNames.GPT2;
      int hidden = required(n, names.hidden());
      int heads = required(n, names.heads());
      int inner = n.hasNonNull(names.inner()) ? n.get(names.inner()).asInt() : 4 * hidden;
      return new ModelConfig(Architecture.GPT2, "gpt2", required(n, "vocab_size"), hidden, inner,
          required(n, names.layers()), heads, heads, checkedHeadDim(hidden, heads), n.path(names.positions()).asInt(1024),
          n.path(names.eps()).asDouble(1e-5), Rope.plain(0), false, false, false, false,
          n.path("tie_word_embeddings").asBoolean(true), n.path("bos_token_id").asInt(50256),
          tokenIds(n.get("eos_token_id"), 50256));
    }
    if (!LLAMA_STYLE.contains(type)) {
      throw new IllegalArgumentException("model_type '" + type + "' is not supported (llama, mistral, qwen2, qwen3, gpt2)");
    }
    JsonNames names = JsonNames.LLAMA;
    int hidden = required(n, names.hidden());
    int heads = required(n, names.heads());
    int maxPositions = n.path(names.positions()).asInt(2048);
    refuseSlidingWindow(n, type, maxPositions);
    boolean attentionBias = n.path("attention_bias").asBoolean(false);
    boolean qwen2 = type.equals("qwen2");
    int headDim = n.hasNonNull("head_dim") ? n.get("head_dim").asInt() : checkedHeadDim(hidden, heads);
    return new ModelConfig(Architecture.LLAMA, type, required(n, "vocab_size"), hidden,
        required(n, names.inner()), required(n, names.layers()), heads,
        n.path("num_key_value_heads").asInt(heads), headDim, maxPositions,
        n.path(names.eps()).asDouble(1e-6), Rope.fromConfig(n, 10000.0),
        qwen2 || attentionBias, !qwen2 && attentionBias, n.path("mlp_bias").asBoolean(false), type.equals("qwen3"),
        n.path("tie_word_embeddings").asBoolean(false), n.path("bos_token_id").asInt(1),
        tokenIds(n.get("eos_token_id"), 2));
  }

  /**
   * Sliding-window attention is not implemented: a window shorter than the context (Mistral 7B v0.1,
   * or Qwen with use_sliding_window) would change the logits past it, so such a model is refused.
   */
  private static void refuseSlidingWindow(JsonNode n, String type, int maxPositions) {
    if (!n.hasNonNull("sliding_window")) {
      return;
    }
    boolean used = type.equals("mistral") || n.path("use_sliding_window").asBoolean(false);
    int window = n.get("sliding_window").asInt();
    if (used && window < maxPositions) {
      throw new IllegalArgumentException("sliding_window " + window + " is smaller than max_position_embeddings "
          + maxPositions + ": sliding-window attention is not implemented in Sluice (set \"sliding_window\": null "
          + "to serve only the first " + window + " positions exactly, or use a model without a window)");
    }
  }

  /** eos_token_id as Hugging Face writes it: a number, a list of numbers, or absent. */
  static List<Integer> tokenIds(JsonNode v, int fallback) {
    if (v == null || v.isNull()) {
      return List.of(fallback);
    }
    if (v.isArray()) {
      List<Integer> ids = new ArrayList<>();
      v.forEach(e -> ids.add(e.asInt()));
      return ids.isEmpty() ? List.of(fallback) : ids;
    }
    return List.of(v.asInt());
  }

  private static int required(JsonNode n, String key) {
    if (!n.hasNonNull(key)) {
      throw new IllegalArgumentException("model config lacks '" + key + "'");
    }
    return n.get(key).asInt();
  }

  /** The Hugging Face {@code config.json} for this shape. */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    boolean gpt2 = architecture == Architecture.GPT2;
    JsonNames names = gpt2 ? JsonNames.GPT2 : JsonNames.LLAMA;
    n.putArray("architectures").add(gpt2 ? "GPT2LMHeadModel" : ARCHITECTURES.getOrDefault(modelType, "LlamaForCausalLM"));
    n.put("model_type", gpt2 ? "gpt2" : modelType);
    n.put(gpt2 ? "activation_function" : "hidden_act", gpt2 ? "gelu_new" : "silu");
    n.put("vocab_size", vocabSize);
    n.put(names.hidden(), hiddenSize);
    n.put(names.inner(), intermediateSize);
    n.put(names.layers(), numLayers);
    n.put(names.heads(), numHeads);
    n.put(names.positions(), maxPositions);
    n.put(names.eps(), normEps);
    if (!gpt2) {
      n.put("num_key_value_heads", numKvHeads);
      n.put("head_dim", headDim);
      rope.writeTo(n);
      if (!modelType.equals("qwen2")) {
        n.put("attention_bias", outputBias);
        n.put("mlp_bias", mlpBias);
      }
    }
    n.put("tie_word_embeddings", tieWordEmbeddings);
    n.put("bos_token_id", bosTokenId);
    if (eosTokenIds.size() == 1) {
      n.put("eos_token_id", eosTokenIds.get(0));
    } else {
      eosTokenIds.forEach(n.putArray("eos_token_id")::add);
    }
    n.put("torch_dtype", "float32");
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), toJson());
  }
}
