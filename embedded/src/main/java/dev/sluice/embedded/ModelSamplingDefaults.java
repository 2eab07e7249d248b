package dev.sluice.embedded;

import dev.sluice.ingress.openai.SamplingDefaults;
import dev.sluice.model.GenerationDefaults;
import java.nio.file.Path;

/** The sampling settings an ingress gives requests that leave them out, from the served model's folder. */
public final class ModelSamplingDefaults {
  private ModelSamplingDefaults() {}

  /** The model's generation_config.json settings; OpenAI's when there is no model folder. */
  public static SamplingDefaults of(Path modelDir) {
    if (modelDir == null) {
      return SamplingDefaults.OPENAI;
    }
    GenerationDefaults g = GenerationDefaults.read(modelDir);
    return new SamplingDefaults((float) g.temperature(), (float) g.topP(), g.topK());
  }
}
