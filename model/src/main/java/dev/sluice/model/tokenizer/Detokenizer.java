package dev.sluice.model.tokenizer;

import java.util.Arrays;

/**
 * Turns a stream of token ids into text deltas for streaming. It decodes a short window of recent
 * tokens and emits only text that is complete: while the window ends in an unfinished UTF-8
 * sequence (byte-fallback pieces such as {@code <0xE2>}), the decoder shows U+FFFD and nothing is
 * emitted until the remaining bytes arrive. The same technique as Hugging Face TGI and vLLM
 * (a prefix offset and a read offset), so word-initial spaces are kept.
 */
public final class Detokenizer {
  private final TextTokenizer tokenizer;
  private int[] ids = new int[16];
  private int size;
  private int prefixOffset; // start of the window decoded for context
  private int readOffset; // tokens before this have been emitted

  public Detokenizer(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Adds one token; returns the newly completed text (possibly empty). */
  public String push(int token) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = token;
    String prefixText = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
    String newText = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size));
    if (newText.length() > prefixText.length() && !newText.endsWith("\uFFFD")) {
      String delta = newText.substring(prefixText.length());
      prefixOffset = readOffset;
      readOffset = size;
      return delta;
    }
    return "";
  }

  /** Adds tokens whose text is not wanted (e.g. the prompt), so later deltas have their context. */
  public void prime(int[] tokens) {
    for (int t : tokens) {
      push(t);
    }
  }
}
