package dev.sluice.model.sampling;

/** Why a sequence stopped, with the OpenAI spelling. */
public enum StopReason {
  /** EOS or a stop string. */
  STOP("stop"),
  /** Reached max tokens (or the model's context). */
  LENGTH("length");

  private final String openAiName;

  StopReason(String openAiName) {
    this.openAiName = openAiName;
  }

  public String openAiName() {
    return openAiName;
  }
}
