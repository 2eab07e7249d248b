package dev.sluice.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The llama2.c tokenizer format ({@code tok512.bin}): int32 max token length, then per token a
 * float32 merge score, an int32 byte length and the bytes (spaces as ' ', byte fallback pieces as
 * {@code <0xNN>}). Encoding follows llama2.c's {@code encode}: BOS, a dummy-prefix space, one
 * piece per UTF-8 code point (bytes + 3 when the code point is not a piece), then greedy merges of
 * the adjacent pair with the best score.
 */
public final class Llama2cTokenizer extends ConfiguredTokenizer {
  private static final int BYTE_OFFSET = 3; // ids 3..258 are <0x00>..<0xFF>

  private final byte[][] pieces;
  private final float[] scores;
  private final Map<String, Integer> ids = new HashMap<>(); // piece bytes as ISO-8859-1 -> id

  public Llama2cTokenizer(Path file, int vocabSize, int bos, int eos) throws IOException {
    super(bos, List.of(eos), vocabSize);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    b.getInt(); // max token length: not needed
    pieces = new byte[vocabSize][];
    scores = new float[vocabSize];
    for (int i = 0; i < vocabSize; i++) {
      scores[i] = b.getFloat();
      pieces[i] = new byte[b.getInt()];
      b.get(pieces[i]);
      ids.putIfAbsent(key(pieces[i]), i);
    }
  }

  private static String key(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  @Override
  public int[] encode(String text) {
    List<Integer> tokens = new ArrayList<>();
    tokens.add(bosId());
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 0) {
      tokens.add(ids.get(" ")); // sentencepiece's dummy prefix
    }
    for (int i = 0; i < utf8.length; ) {
      int len = codePointLength(utf8, i);
      String cp = new String(utf8, i, len, StandardCharsets.ISO_8859_1);
      Integer id = ids.get(cp);
      if (id != null) {
        tokens.add(id);
      } else {
        for (int j = i; j < i + len; j++) {
          tokens.add((utf8[j] & 0xff) + BYTE_OFFSET);
        }
      }
      i += len;
    }
    while (true) { // merge the best-scoring adjacent pair until none merges
      float bestScore = Float.NEGATIVE_INFINITY;
      int bestId = -1;
      int bestAt = -1;
      for (int i = 1; i + 1 < tokens.size(); i++) {
        Integer merged = ids.get(key(pieces[tokens.get(i)]) + key(pieces[tokens.get(i + 1)]));
        if (merged != null && scores[merged] > bestScore) {
          bestScore = scores[merged];
          bestId = merged;
          bestAt = i;
        }
      }
      if (bestAt < 0) {
        break;
      }
      tokens.set(bestAt, bestId);
      tokens.remove(bestAt + 1);
    }
    return tokens.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int codePointLength(byte[] utf8, int i) {
    int len = 1;
    while (i + len < utf8.length && len < 4 && (utf8[i + len] & 0xC0) == 0x80) {
      len++;
    }
    return len;
  }

  @Override
  public String decode(int[] tokenIds) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : tokenIds) {
      if (id == bosId() || id == eosId() || id == 0 || id < 0 || id >= pieces.length) {
        continue;
      }
      if (id >= BYTE_OFFSET && id < BYTE_OFFSET + 256) {
        out.write(id - BYTE_OFFSET);
      } else {
        out.writeBytes(pieces[id]);
      }
    }
    String text = out.toString(StandardCharsets.UTF_8); // unfinished UTF-8 becomes U+FFFD
    return text.startsWith(" ") ? text.substring(1) : text; // like sentencepiece: drop the dummy prefix
  }

  /** The raw bytes of a piece (for the importer, which writes them into a tokenizer.json). */
  public byte[] piece(int id) {
    return pieces[id].clone();
  }

  public float score(int id) {
    return scores[id];
  }
}
