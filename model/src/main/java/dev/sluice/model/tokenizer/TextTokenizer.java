package dev.sluice.model.tokenizer;

/** Text to token ids and back, for one model. */
public interface TextTokenizer extends AutoCloseable {

  /** Token ids of {@code text}, with BOS in front where the tokenizer adds one (never empty). */
  int[] encode(String text);

  /** Text of {@code ids}; BOS/EOS and other special tokens are left out. */
  String decode(int[] ids);

  int bosId();

  int eosId();

  /** Whether {@code id} ends a sequence: the EOS token, or any of the model's eos_token_id list. */
  default boolean isEos(int id) {
    return id == eosId();
  }

  int vocabSize();

  /** A fresh incremental decoder for streaming one sequence. */
  default Detokenizer newDetokenizer() {
    return new Detokenizer(this);
  }

  @Override
  default void close() {}
}
