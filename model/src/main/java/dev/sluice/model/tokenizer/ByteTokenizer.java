package dev.sluice.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The fallback for models without a tokenizer (e.g. seeded random models from init-model): one token
 * per UTF-8 byte, id = byte + 3, with 0 unknown, 1 BOS, 2 EOS — the same ids llama2.c-style
 * vocabularies use for byte fallback. Needs a vocabulary of at least 259 ids.
 */
public final class ByteTokenizer implements TextTokenizer {
  private static final int OFFSET = 3;
  private final int vocabSize;

  public ByteTokenizer(int vocabSize) {
    if (vocabSize < 256 + OFFSET) {
      throw new IllegalArgumentException("a byte tokenizer needs a vocabulary of at least 259, got " + vocabSize);
    }
    this.vocabSize = vocabSize;
  }

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length + 1];
    ids[0] = bosId();
    for (int i = 0; i < bytes.length; i++) {
      ids[i + 1] = (bytes[i] & 0xff) + OFFSET;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id >= OFFSET && id < OFFSET + 256) {
        out.write(id - OFFSET);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int bosId() {
    return 1;
  }

  @Override
  public int eosId() {
    return 2;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }
}
