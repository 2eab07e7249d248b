package dev.sluice.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's shape, mapped from Hugging Face {@code config.json} names (Llama and GPT-2 spellings).
 *
 * @param architecture which family of blocks to build
 * @param vocabSize number of token ids
 * @param hiddenSize width of the residual stream (llama hidden_size, gpt2 n_embd)
 * @param intermediateSize width of the MLP's inner layer (gpt2 n_inner, default 4 × hidden)
 * @param numLayers transformer blocks (num_hidden_layers, n_layer)
 * @param numHeads query heads (num_attention_heads, n_head)
 * @param numKvHeads key/value heads; fewer than numHeads means grouped-query attention
 * @param maxPositions longest sequence the model was built for (max_position_embeddings, n_positions)
 * @param normEps epsilon of RMSNorm / LayerNorm
 * @param ropeTheta RoPE base frequency (Llama only)
 * @param tieWordEmbeddings whether the LM head reuses the token embedding
 * @param bosTokenId beginning-of-sequence token
 * @param eosTokenId end-of-sequence token
 */
public record ModelConfig(
    Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int maxPositions,
    double normEps,
    double ropeTheta,
    boolean tieWordEmbeddings,
    int bosTokenId,
    int eosTokenId) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelConfig {
    if (hiddenSize % numHeads != 0) {
      throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of " + numHeads + " heads");
    }
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(numHeads + " query heads are not a multiple of " + numKvHeads + " KV heads");
    }
  }

  /** Width of one attention head. */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  /** Query heads that share one KV head. */
  public int kvGroups() {
    return numHeads / numKvHeads;
  }

  /** Width of K (or V) for one token in one layer: kvHeads × headDim. */
  public int kvDim() {
    return numKvHeads * headDim();
  }

  /** Reads {@code config.json} from a model directory (or the file itself). */
  public static ModelConfig read(Path dirOrFile) {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
    try {
      return fromJson(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model config " + file, e);
    }
  }

  public static ModelConfig parse(String json) {
    try {
      return fromJson(JSON.readTree(json));
    } catch (IOException e) {
      throw new IllegalArgumentException("model config is not valid JSON", e);
    }
  }

  static ModelConfig fromJson(JsonNode n) {
    String type = n.path("model_type").asText("llama");
    if (type.equals("gpt2")) {
      int hidden = required(n, "n_embd");
      int heads = required(n, "n_head");
      int inner = n.hasNonNull("n_inner") ? n.get("n_inner").asInt() : 4 * hidden;
      return new ModelConfig(Architecture.GPT2, required(n, "vocab_size"), hidden, inner, required(n, "n_layer"),
          heads, heads, n.path("n_positions").asInt(1024), n.path("layer_norm_epsilon").asDouble(1e-5), 0,
          n.path("tie_word_embeddings").asBoolean(true), n.path("bos_token_id").asInt(50256),
          n.path("eos_token_id").asInt(50256));
    }
    if (!type.equals("llama") && !type.equals("mistral")) {
      throw new IllegalArgumentException("model_type '" + type + "' is not supported (llama, gpt2)");
    }
    int heads = required(n, "num_attention_heads");
    return new ModelConfig(Architecture.LLAMA, required(n, "vocab_size"), required(n, "hidden_size"),
        required(n, "intermediate_size"), required(n, "num_hidden_layers"), heads,
        n.path("num_key_value_heads").asInt(heads), n.path("max_position_embeddings").asInt(2048),
        n.path("rms_norm_eps").asDouble(1e-6), n.path("rope_theta").asDouble(10000.0),
        n.path("tie_word_embeddings").asBoolean(false), n.path("bos_token_id").asInt(1),
        n.path("eos_token_id").asInt(2));
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
    if (architecture == Architecture.GPT2) {
      n.putArray("architectures").add("GPT2LMHeadModel");
      n.put("model_type", "gpt2");
      n.put("vocab_size", vocabSize);
      n.put("n_embd", hiddenSize);
      n.put("n_inner", intermediateSize);
      n.put("n_layer", numLayers);
      n.put("n_head", numHeads);
      n.put("n_positions", maxPositions);
      n.put("layer_norm_epsilon", normEps);
      n.put("activation_function", "gelu_new");
    } else {
      n.putArray("architectures").add("LlamaForCausalLM");
      n.put("model_type", "llama");
      n.put("hidden_act", "silu");
      n.put("vocab_size", vocabSize);
      n.put("hidden_size", hiddenSize);
      n.put("intermediate_size", intermediateSize);
      n.put("num_hidden_layers", numLayers);
      n.put("num_attention_heads", numHeads);
      n.put("num_key_value_heads", numKvHeads);
      n.put("max_position_embeddings", maxPositions);
      n.put("rms_norm_eps", normEps);
      n.put("rope_theta", ropeTheta);
    }
    n.put("tie_word_embeddings", tieWordEmbeddings);
    n.put("bos_token_id", bosTokenId);
    n.put("eos_token_id", eosTokenId);
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
