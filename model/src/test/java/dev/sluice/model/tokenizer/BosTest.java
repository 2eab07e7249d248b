package dev.sluice.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BOS comes from tokenizer.json's post-processor, as in transformers, and a rendered template's BOS is not doubled. */
class BosTest {
  static final String VOCAB = "{\"<unk>\": 0, \"<s>\": 1, \"</s>\": 2, \"hello\": 3, \"world\": 4}";
  static final String ADDED = "[{\"id\": 1, \"content\": \"<s>\", \"special\": true, \"single_word\": false, "
      + "\"lstrip\": false, \"rstrip\": false, \"normalized\": false}]";

  static Path tokenizer(Path dir, boolean bosTemplate) throws Exception {
    String post = bosTemplate
        ? "{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\", \"type_id\": 0}}, "
            + "{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}], \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
            + "{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}], \"special_tokens\": {\"<s>\": {\"id\": \"<s>\", "
            + "\"ids\": [1], \"tokens\": [\"<s>\"]}}}"
        : "null";
    Path file = dir.resolve(bosTemplate ? "with-bos.json" : "without-bos.json");
    Files.writeString(file, "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": " + ADDED
        + ", \"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": " + post
        + ", \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"vocab\": " + VOCAB + ", \"unk_token\": \"<unk>\"}}");
    return file;
  }

  @Test
  void shouldAddBosOnlyWhereTheTokenizerDoes(@TempDir Path dir) throws Exception {
    try (HuggingFaceTextTokenizer llamaLike = new HuggingFaceTextTokenizer(tokenizer(dir, true), 1, List.of(2), 5);
        HuggingFaceTextTokenizer qwenLike = new HuggingFaceTextTokenizer(tokenizer(dir, false), 1, List.of(2), 5)) {
      assertThat(llamaLike.encode("hello world")).containsExactly(1, 3, 4);
      assertThat(llamaLike.encode("<s> hello world")).containsExactly(1, 3, 4); // template text already has BOS
      assertThat(qwenLike.encode("hello world")).containsExactly(3, 4);
      assertThat(qwenLike.encode("")).containsExactly(1);
      assertThat(qwenLike.isEos(2)).isTrue();
    }
  }
}
