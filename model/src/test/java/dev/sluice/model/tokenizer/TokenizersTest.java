package dev.sluice.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.ModelConfig;
import dev.sluice.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizersTest {
  static final List<String> TRICKY = List.of(
      "Once upon a time",
      "Lily and Tom went to the park. They saw a big dog",
      "",
      " ",
      "   three   spaces  and\ttab\nnewline",
      "digits 1234567890 and 3.14159, 42!",
      "unicode: café naïve 日本語 ünïcödé — “quotes” 😀",
      "x",
      "  leading and trailing  ");

  @Test
  void shouldEncodeTrickyStringsToTheSameIdsAsTheLlama2cTokenizer() throws Exception {
    Path dir = SharedData.stories260K();
    ModelConfig cfg = ModelConfig.read(dir);
    try (TextTokenizer hf = Tokenizers.load(dir);
        TextTokenizer c = new Llama2cTokenizer(dir.resolve("tok512.bin"), cfg.vocabSize(), 1, 2)) {
      assertThat(hf).isInstanceOf(HuggingFaceTextTokenizer.class);
      for (String s : TRICKY) {
        assertThat(hf.encode(s)).as("ids of '%s'", s).containsExactly(c.encode(s));
        assertThat(c.decode(c.encode(s))).as("llama2.c round trip of '%s'", s).isEqualTo(hf.decode(hf.encode(s)));
      }
    }
  }

  @Test
  void shouldEncodePromptAsTheGoldenRunDid() throws Exception {
    try (TextTokenizer tok = Tokenizers.load(SharedData.stories260K())) {
      assertThat(tok.encode("Once upon a time")).containsExactly(1, 403, 407, 261, 378);
      assertThat(tok.decode(new int[] {1, 403, 407, 261, 378})).isEqualTo("Once upon a time");
    }
  }

  @Test
  void shouldNeverStreamBrokenUtf8FromByteFallbackPieces() throws Exception {
    Path dir = SharedData.stories260K();
    try (TextTokenizer tok = Tokenizers.load(dir)) {
      String text = "snow ☃ and 日本 😀 end";
      int[] ids = tok.encode(text);
      assertThat(Arrays.stream(ids).anyMatch(id -> id >= 3 && id < 259)).as("the test needs byte-fallback ids").isTrue();
      Detokenizer d = tok.newDetokenizer();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        String delta = d.push(id);
        assertThat(delta).doesNotContain("\uFFFD");
        assertThat(delta.isEmpty() || !Character.isHighSurrogate(delta.charAt(delta.length() - 1))).isTrue();
        streamed.append(delta);
      }
      assertThat(streamed.toString()).isEqualTo(text);
    }
  }

  @Test
  void shouldRoundTripBytesThroughTheFallbackTokenizer() {
    ByteTokenizer tok = new ByteTokenizer(512);
    int[] ids = tok.encode("héllo");
    assertThat(ids[0]).isEqualTo(1);
    assertThat(ids).hasSize(7);
    assertThat(tok.decode(ids)).isEqualTo("héllo");
  }
}
