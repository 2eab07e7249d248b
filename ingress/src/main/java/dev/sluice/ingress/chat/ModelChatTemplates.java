package dev.sluice.ingress.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingress.openai.ChatTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a model folder's own chat template, where transformers keeps it: {@code chat_template.jinja}
 * (newer releases), {@code chat_template.json} ({@code {"chat_template": ...}}), or the
 * {@code chat_template} of {@code tokenizer_config.json} — a string, or a list of named templates of
 * which {@code default} is used. BOS and EOS texts come from tokenizer_config.json ({@code bos_token},
 * {@code eos_token}: a string or an AddedToken object with {@code content}).
 */
public final class ModelChatTemplates {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelChatTemplates() {}

  /** The model's template, or empty when it ships none (a base model). */
  public static Optional<ChatTemplate> find(Path modelDir) {
    try {
      JsonNode tokenizerConfig = readJson(modelDir.resolve("tokenizer_config.json"));
      String bos = tokenText(tokenizerConfig.get("bos_token"));
      String eos = tokenText(tokenizerConfig.get("eos_token"));
      String name = modelDir.getFileName() + "/";
      Path jinja = modelDir.resolve("chat_template.jinja");
      if (Files.isRegularFile(jinja)) {
        return Optional.of(new JinjaChatTemplate(name + "chat_template.jinja", Files.readString(jinja), bos, eos));
      }
      JsonNode json = readJson(modelDir.resolve("chat_template.json")).get("chat_template");
      if (json != null && json.isTextual()) {
        return Optional.of(new JinjaChatTemplate(name + "chat_template.json", json.asText(), bos, eos));
      }
      JsonNode t = tokenizerConfig.get("chat_template");
      if (t != null && t.isTextual()) {
        return Optional.of(new JinjaChatTemplate(name + "tokenizer_config.json", t.asText(), bos, eos));
      }
      if (t != null && t.isArray()) {
        for (JsonNode named : t) {
          if ("default".equals(named.path("name").asText())) {
            return Optional.of(new JinjaChatTemplate(name + "tokenizer_config.json (default)",
                named.path("template").asText(), bos, eos));
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the chat template of " + modelDir, e);
    }
  }

  private static JsonNode readJson(Path file) throws IOException {
    return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
  }

  private static String tokenText(JsonNode token) {
    if (token == null || token.isNull()) return "";
    if (token.isTextual()) return token.asText();
    return token.path("content").asText("");
  }
}
