package dev.sluice.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A Hugging Face {@code tokenizer.json}, through DJL's binding; truncation and padding off. */
public final class HuggingFaceTextTokenizer extends ConfiguredTokenizer {
  private final HuggingFaceTokenizer tokenizer;

  public HuggingFaceTextTokenizer(Path tokenizerJson, int bos, int eos, int vocabSize) {
    this(tokenizerJson, bos, List.of(eos), vocabSize);
  }

  /** @param eosIds every token that ends a sequence; the first is the one {@link #eosId()} names */
  public HuggingFaceTextTokenizer(Path tokenizerJson, int bos, List<Integer> eosIds, int vocabSize) {
    super(bos, eosIds, vocabSize);
    try {
      // the default truncates silently to 512 tokens (STACK.md)
      this.tokenizer = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokenizerJson)
          .optTruncation(false)
          .optPadding(false)
          .optAddSpecialTokens(true)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
    }
  }

  @Override
  public int[] encode(String text) {
    int[] ids = Arrays.stream(tokenizer.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
    if (ids.length == 0) { // a model needs one token to start from
      return new int[] {bosId()};
    }
    // tokenizer.json's post-processor decides about BOS, as in transformers: Llama and Mistral add one,
    // Qwen and GPT-2 do not (so no config bos_token_id is forced in front of their prompts)
    if (ids.length > 1 && ids[1] == bosId()) { // the text began with the BOS token itself (a rendered chat template)
      return Arrays.copyOfRange(ids, 1, ids.length);
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
