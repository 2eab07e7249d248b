package dev.sluice.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Rotary position embedding settings, mapped from Hugging Face names. Both config vintages are read:
 * {@code rope_theta} + {@code rope_scaling} (transformers before 4.56) and {@code rope_parameters}
 * (newer releases, with {@code rope_theta} and {@code rope_type} inside).
 *
 * @param theta base frequency (rope_theta)
 * @param type rope_type (older files: type): default, linear or llama3
 * @param factor scaling factor (linear: positions are divided by it; llama3: long wavelengths are)
 * @param lowFreqFactor llama3 low_freq_factor
 * @param highFreqFactor llama3 high_freq_factor
 * @param originalMaxPositions llama3 original_max_position_embeddings (the pre-training context)
 */
public record Rope(double theta, String type, double factor, double lowFreqFactor, double highFreqFactor,
    int originalMaxPositions) {

  public static final String DEFAULT = "default";
  public static final String LINEAR = "linear";
  public static final String LLAMA3 = "llama3";

  public Rope {
    type = type == null ? DEFAULT : type.toLowerCase(Locale.ROOT);
    if (!type.equals(DEFAULT) && !type.equals(LINEAR) && !type.equals(LLAMA3)) {
      throw new IllegalArgumentException("rope_scaling type '" + type
          + "' is not supported (supported: default, linear, llama3)");
    }
    if (!type.equals(DEFAULT) && !(factor > 0)) {
      throw new IllegalArgumentException("rope_scaling of type " + type + " needs a positive 'factor'");
    }
    if (type.equals(LLAMA3) && (originalMaxPositions < 1 || !(highFreqFactor > lowFreqFactor))) {
      throw new IllegalArgumentException("rope_scaling llama3 needs original_max_position_embeddings and "
          + "high_freq_factor > low_freq_factor");
    }
  }

  /** Plain RoPE with base {@code theta}. */
  public static Rope plain(double theta) {
    return new Rope(theta, DEFAULT, 1, 0, 0, 0);
  }

  /** From a config.json: rope_parameters if present, else rope_theta + rope_scaling. */
  static Rope fromConfig(JsonNode config, double defaultTheta) {
    JsonNode params = config.path("rope_parameters");
    if (params.isObject()) {
      return fromScaling(params, params.path("rope_theta").asDouble(config.path("rope_theta").asDouble(defaultTheta)));
    }
    double theta = config.path("rope_theta").asDouble(defaultTheta);
    JsonNode scaling = config.path("rope_scaling");
    return scaling.isObject() ? fromScaling(scaling, theta) : plain(theta);
  }

  private static Rope fromScaling(JsonNode s, double theta) {
    String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText(DEFAULT);
    return new Rope(theta, type, s.path("factor").asDouble(1), s.path("low_freq_factor").asDouble(1),
        s.path("high_freq_factor").asDouble(4), s.path("original_max_position_embeddings").asInt(0));
  }

  /**
   * Inverse frequencies of the {@code headDim / 2} rotated pairs, as transformers'
   * {@code ROPE_INIT_FUNCTIONS} compute them (attention scaling is 1 for these three types).
   */
  public double[] inverseFrequencies(int headDim) {
    int half = headDim / 2;
    double[] inv = new double[half];
    for (int i = 0; i < half; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    if (type.equals(LINEAR)) {
      for (int i = 0; i < half; i++) {
        inv[i] /= factor;
      }
    } else if (type.equals(LLAMA3)) {
      double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
      double highFreqWavelen = originalMaxPositions / highFreqFactor;
      for (int i = 0; i < half; i++) {
        double wavelen = 2 * Math.PI / inv[i];
        if (wavelen > lowFreqWavelen) { // long wavelengths: scaled down by factor
          inv[i] = inv[i] / factor;
        } else if (wavelen >= highFreqWavelen) { // in between: interpolated
          double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
          inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
        } // short wavelengths: unchanged
      }
    }
    return inv;
  }

  /** Writes these settings in the older vintage (rope_theta + rope_scaling) into a config.json object. */
  void writeTo(ObjectNode config) {
    config.put("rope_theta", theta);
    if (type.equals(DEFAULT)) {
      return;
    }
    ObjectNode s = config.putObject("rope_scaling");
    s.put("rope_type", type);
    s.put("factor", factor);
    if (type.equals(LLAMA3)) {
      s.put("low_freq_factor", lowFreqFactor);
      s.put("high_freq_factor", highFreqFactor);
      s.put("original_max_position_embeddings", originalMaxPositions);
    }
  }
}
