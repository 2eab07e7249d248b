package dev.sluice.ingress.openai;

import java.util.List;

/**
 * How {@code /v1/chat/completions} turns messages into one prompt. Sluice serves base models (such
 * as stories260K) that know no chat format, so the templates are plain text:
 * <ul>
 *   <li>{@code PLAIN} (default): the messages' contents in order, joined by a newline; the model
 *       continues the last message. {@code [system "You tell stories.", user "Once upon a time"]}
 *       becomes {@code "You tell stories.\nOnce upon a time"}.</li>
 *   <li>{@code TRANSCRIPT}: one line per message, {@code "System: ..."}, {@code "User: ..."},
 *       {@code "Assistant: ..."}, then a final {@code "Assistant:"} for the model to continue.</li>
 * </ul>
 */
public enum ChatTemplate {
  PLAIN,
  TRANSCRIPT;

  public record Message(String role, String content) {}

  public String render(List<Message> messages) {
    StringBuilder prompt = new StringBuilder();
    for (Message m : messages) {
      if (prompt.length() > 0) prompt.append('\n');
      if (this == TRANSCRIPT) prompt.append(label(m.role())).append(": ");
      prompt.append(m.content());
    }
    if (this == TRANSCRIPT) prompt.append(prompt.length() > 0 ? "\n" : "").append("Assistant:");
    return prompt.toString();
  }

  private static String label(String role) {
    return role.isEmpty() ? role : Character.toUpperCase(role.charAt(0)) + role.substring(1);
  }

  public static ChatTemplate byName(String name) {
    for (ChatTemplate t : values()) {
      if (t.name().equalsIgnoreCase(name)) return t;
    }
    throw new IllegalArgumentException("unknown chat template '" + name + "'; use plain or transcript");
  }
}
