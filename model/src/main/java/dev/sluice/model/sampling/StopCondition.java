package dev.sluice.model.sampling;

import java.util.List;
import java.util.Optional;

/**
 * When a sequence is finished: an EOS token (a model may have several), {@code maxTokens} generated tokens, or a stop string
 * appearing in the generated text (the text is then cut before it, as OpenAI does).
 */
public record StopCondition(java.util.Set<Integer> eosIds, int maxTokens, List<String> stopStrings) {

  /** One EOS token. */
  public StopCondition(int eosId, int maxTokens, List<String> stopStrings) {
    this(java.util.Set.of(eosId), maxTokens, stopStrings);
  }

  public StopCondition {
    eosIds = java.util.Set.copyOf(eosIds);
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
    }
    stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
  }

  /**
   * @param lastToken the token just sampled
   * @param generated how many tokens have been generated, this one included
   * @param text the generated text so far
   */
  public Optional<StopReason> check(int lastToken, int generated, String text) {
    if (eosIds.contains(lastToken) || stopIndex(text) >= 0) {
      return Optional.of(StopReason.STOP);
    }
    return generated >= maxTokens ? Optional.of(StopReason.LENGTH) : Optional.empty();
  }

  /** Where the earliest stop string starts in {@code text}, or -1. */
  public int stopIndex(String text) {
    int first = -1;
    for (String s : stopStrings) {
      int at = s.isEmpty() ? -1 : text.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** The text a client should see: cut before the first stop string. */
  public String visibleText(String text) {
    int at = stopIndex(text);
    return at < 0 ? text : text.substring(0, at);
  }
}
