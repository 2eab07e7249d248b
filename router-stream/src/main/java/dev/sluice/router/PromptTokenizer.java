package dev.sluice.router;

/**
 * Turns prompt text into token ids the way the served model expects (BOS included). The model
 * module's tokenizer plugs in as {@code text -> tokenizer.encode(text)}; requests that carry
 * {@code promptTokens} never reach it.
 */
@FunctionalInterface
public interface PromptTokenizer {
  int[] encode(String text);
}
