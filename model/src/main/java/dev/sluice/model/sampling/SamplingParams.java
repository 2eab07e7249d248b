package dev.sluice.model.sampling;

/**
 * How to choose tokens.
 *
 * @param temperature 0 means greedy
 * @param topP nucleus mass in (0, 1]; 1 or 0 means off
 * @param topK keep only the k most likely tokens; 0 means off
 * @param seed mixed with the request id and position into each step's random stream
 */
public record SamplingParams(float temperature, float topP, int topK, long seed) {
  public static final SamplingParams GREEDY = new SamplingParams(0f, 1f, 0, 0L);

  public SamplingParams {
    if (temperature < 0 || Float.isNaN(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topP < 0 || topP > 1) {
      throw new IllegalArgumentException("top_p must be in [0, 1], got " + topP);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
    }
  }
}
