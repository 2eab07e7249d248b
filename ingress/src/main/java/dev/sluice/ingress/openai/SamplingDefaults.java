package dev.sluice.ingress.openai;

/**
 * Sampling settings a request gets when it leaves them out: OpenAI's (temperature 1, top_p 1, no top_k),
 * or the served model's own from its generation_config.json, as vLLM does.
 *
 * @param temperature used when a request has no {@code temperature}
 * @param topP used when a request has no {@code top_p}
 * @param topK used when a request has no {@code top_k}; 0 = off
 */
public record SamplingDefaults(float temperature, float topP, int topK) {
  public static final SamplingDefaults OPENAI = new SamplingDefaults(1.0f, 1.0f, 0);

  public SamplingDefaults {
    if (temperature < 0 || temperature > 2) throw new IllegalArgumentException("default temperature must be in [0, 2]");
    if (topP <= 0 || topP > 1) throw new IllegalArgumentException("default top_p must be in (0, 1]");
    if (topK < 0) throw new IllegalArgumentException("default top_k must be >= 0");
  }
}
