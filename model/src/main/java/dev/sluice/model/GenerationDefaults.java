package dev.sluice.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's own sampling defaults, mapped from Hugging Face {@code generation_config.json}; used when a
 * request leaves a setting out (as vLLM does; do_sample is not consulted). A model without the file gets
 * the neutral defaults below.
 *
 * @param temperature temperature (1.0 when absent)
 * @param topP top_p (1.0 when absent)
 * @param topK top_k (0 = off; transformers' default 50 applies only when the file names it)
 * @param eosTokenIds eos_token_id, a number or a list (empty when absent)
 */
public record GenerationDefaults(double temperature, double topP, int topK,
    List<Integer> eosTokenIds) {

  public static final GenerationDefaults NONE = new GenerationDefaults(1.0, 1.0, 0, List.of());
  private static final ObjectMapper JSON = new ObjectMapper();

  public GenerationDefaults {
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  /** {@code generation_config.json} in {@code modelDir}, or {@link #NONE}. */
  public static GenerationDefaults read(Path modelDir) {
    Path file = modelDir == null ? null : modelDir.resolve("generation_config.json");
    if (file == null || !Files.isRegularFile(file)) {
      return NONE;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      List<Integer> eos = n.hasNonNull("eos_token_id") ? ModelConfig.tokenIds(n.get("eos_token_id"), 0) : List.of();
      return new GenerationDefaults(n.path("temperature").asDouble(1.0), n.path("top_p").asDouble(1.0), n.path("top_k").asInt(0), eos);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
