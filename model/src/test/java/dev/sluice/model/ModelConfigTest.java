package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json as Hugging Face writes it, for each family and both RoPE vintages. */
class ModelConfigTest {

  private static final String LLAMA3 = """
      {"model_type": "llama", "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 4,
       "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 24, "vocab_size": 300,
       "max_position_embeddings": 512, "rms_norm_eps": 1e-05, %s,
       "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}""";

  @Test
  void shouldReadBothRopeVintagesAsTheSameSettings() {
    ModelConfig old = ModelConfig.parse(LLAMA3.formatted("""
        "rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
         "high_freq_factor": 4.0, "original_max_position_embeddings": 64}"""));
    ModelConfig newer = ModelConfig.parse(LLAMA3.formatted("""
        "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
         "high_freq_factor": 4.0, "original_max_position_embeddings": 64}"""));
    assertThat(newer).isEqualTo(old);
    assertThat(old.rope()).isEqualTo(new Rope(500000, "llama3", 8, 1, 4, 64));
    assertThat(old.headDim()).isEqualTo(24);
    assertThat(old.qDim()).isEqualTo(96);
    assertThat(old.eosTokenIds()).containsExactly(128001, 128008, 128009);
    assertThat(ModelConfig.parse(old.toJson())).isEqualTo(old);
  }

  @Test
  void shouldScaleRopeFrequenciesTheLlama3Way() {
    double[] plain = Rope.plain(500000).inverseFrequencies(24);
    double[] scaled = new Rope(500000, "llama3", 8, 1, 4, 64).inverseFrequencies(24);
    assertThat(scaled[0]).isEqualTo(plain[0]); // wavelength 2π < 64/4: kept
    assertThat(scaled[11]).isEqualTo(plain[11] / 8); // longest wavelength: divided by the factor
    double[] linear = new Rope(10000, "linear", 4, 0, 0, 0).inverseFrequencies(8);
    assertThat(linear[1]).isEqualTo(Rope.plain(10000).inverseFrequencies(8)[1] / 4);
  }

  @Test
  void shouldRefuseAnUnsupportedRopeTypeByName() {
    assertThatThrownBy(() -> ModelConfig.parse(LLAMA3.formatted("""
        "rope_theta": 10000, "rope_scaling": {"type": "yarn", "factor": 4.0}""")))
        .hasMessageContaining("'yarn'").hasMessageContaining("not supported");
  }

  @Test
  void shouldMapQwenAndMistralFamiliesToTheirTensors() {
    String common = """
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "vocab_size": 300, "max_position_embeddings": 512""";
    ModelConfig qwen2 = ModelConfig.parse("{\"model_type\": \"qwen2\", " + common
        + ", \"sliding_window\": 128, \"use_sliding_window\": false}");
    assertThat(qwen2.qkvBias()).isTrue();
    assertThat(qwen2.outputBias()).isFalse();
    ModelConfig qwen3 = ModelConfig.parse("{\"model_type\": \"qwen3\", \"head_dim\": 32, " + common + "}");
    assertThat(qwen3.qkNorm()).isTrue();
    assertThat(qwen3.qkvBias()).isFalse();
    assertThat(qwen3.qDim()).isEqualTo(128);
    ModelConfig biased = ModelConfig.parse("{\"model_type\": \"llama\", \"attention_bias\": true, \"mlp_bias\": true, "
        + common + "}");
    assertThat(List.of(biased.qkvBias(), biased.outputBias(), biased.mlpBias())).containsOnly(true);
    ModelConfig mistral = ModelConfig.parse("{\"model_type\": \"mistral\", \"sliding_window\": null, " + common + "}");
    assertThat(mistral.architecture()).isEqualTo(Architecture.LLAMA);
    assertThat(ModelConfig.parse(qwen3.toJson())).isEqualTo(qwen3);
    assertThat(ModelConfig.parse(qwen2.toJson())).isEqualTo(qwen2);
  }

  @Test
  void shouldRefuseASlidingWindowShorterThanTheContext() {
    assertThatThrownBy(() -> ModelConfig.parse("""
        {"model_type": "mistral", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 300,
         "max_position_embeddings": 32768, "sliding_window": 4096}"""))
        .hasMessageContaining("sliding_window 4096").hasMessageContaining("not implemented");
  }

  @Test
  void shouldAddGenerationConfigEosTokensAndSamplingDefaults(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), LLAMA3.formatted("\"rope_theta\": 500000.0")
        .replace("[128001, 128008, 128009]", "128001"));
    Files.writeString(dir.resolve("generation_config.json"), """
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128009], "temperature": 0.6,
         "top_p": 0.9, "transformers_version": "4.45.0"}""");
    assertThat(ModelConfig.read(dir).eosTokenIds()).containsExactly(128001, 128009);
    GenerationDefaults defaults = GenerationDefaults.read(dir);
    assertThat(defaults.temperature()).isEqualTo(0.6);
    assertThat(defaults.topP()).isEqualTo(0.9);
    assertThat(GenerationDefaults.read(dir.resolve("nowhere"))).isEqualTo(GenerationDefaults.NONE);
  }
}
