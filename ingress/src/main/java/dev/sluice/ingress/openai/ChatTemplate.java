package dev.sluice.ingress.openai;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How {@code /v1/chat/completions} turns messages into one prompt. A model that ships a chat template
 * (tokenizer_config.json's {@code chat_template}, or chat_template.jinja) is served with its own
 * ({@link dev.sluice.ingress.chat.JinjaChatTemplate}). Base models without one (such as stories260K)
 * get a plain-text format:
 * <ul>
 *   <li>{@code PLAIN} (default): the messages' contents in order, joined by a newline; the model
 *       continues the last message. {@code [system "You tell stories.", user "Once upon a time"]}
 *       becomes {@code "You tell stories.\nOnce upon a time"}.</li>
 *   <li>{@code TRANSCRIPT}: one line per message, {@code "System: ..."}, {@code "User: ..."},
 *       {@code "Assistant: ..."}, then a final {@code "Assistant:"} for the model to continue.</li>
 * </ul>
 */
public interface ChatTemplate {

  /** Roles a chat message may have; any other is a 400 (OpenAI's "developer" is the newer name for system). */
  Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

  record Message(String role, String content) {}

  /** The prompt text for {@code messages} (non-empty, roles checked); a template's own refusal is a {@link TemplateRefusal}. */
  String render(List<Message> messages);

  /** The name shown in logs: plain, transcript, or where a model's template came from. */
  String name();

  /** The template itself refused the conversation (Jinja {@code raise_exception}), e.g. roles out of order. */
  final class TemplateRefusal extends RuntimeException {
    public TemplateRefusal(String message) {
      super(message);
    }
  }

  ChatTemplate PLAIN = new ChatTemplate() {
    @Override
    public String render(List<Message> messages) {
      // empty messages before the first text add no blank lines
      return messages.stream().map(Message::content).dropWhile(String::isEmpty).collect(Collectors.joining("\n"));
    }

    @Override
    public String name() {
      return "plain";
    }
  };

  ChatTemplate TRANSCRIPT = new ChatTemplate() {
    @Override
    public String render(List<Message> messages) {
      return Stream.concat(messages.stream().map(m -> label(m.role()) + ": " + m.content()), Stream.of("Assistant:"))
          .collect(Collectors.joining("\n"));
    }

    @Override
    public String name() {
      return "transcript";
    }

    private String label(String role) {
      return role.isEmpty() ? role : Character.toUpperCase(role.charAt(0)) + role.substring(1);
    }
  };

  static ChatTemplate byName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "plain" -> PLAIN;
      case "transcript" -> TRANSCRIPT;
      default -> throw new IllegalArgumentException("unknown chat template '" + name + "'; use plain or transcript");
    };
  }
}
