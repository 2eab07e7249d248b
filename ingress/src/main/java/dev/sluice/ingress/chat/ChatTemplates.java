package dev.sluice.ingress.chat;

import dev.sluice.ingress.openai.ChatTemplate;
import dev.sluice.ingress.openai.ChatTemplate.Message;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Picks how chat messages become a prompt: {@code auto} (default) serves the model's own template when
 * its folder has one and plain text otherwise; {@code model} insists on the model's own; {@code plain}
 * and {@code transcript} are the built-in formats for base models ({@link ChatTemplate}).
 */
public final class ChatTemplates {
  public static final List<String> CHOICES = List.of("auto", "model", "plain", "transcript");

  private ChatTemplates() {}

  /** @param modelDir the served model's folder, or null when the ingress does not know it */
  public static ChatTemplate choose(String choice, Path modelDir, Consumer<String> log) {
    String c = choice.toLowerCase(Locale.ROOT);
    if (c.equals("plain") || c.equals("transcript")) {
      return ChatTemplate.byName(c);
    }
    if (!c.equals("auto") && !c.equals("model")) {
      throw new IllegalArgumentException("unknown chat template '" + choice + "'; use one of " + CHOICES);
    }
    Optional<ChatTemplate> own = modelDir == null ? Optional.empty() : ModelChatTemplates.find(modelDir);
    if (own.isEmpty()) {
      if (c.equals("model")) {
        throw new IllegalArgumentException("chat_template 'model' but " + (modelDir == null ? "no model folder is given"
            : modelDir + " has no chat template (tokenizer_config.json, chat_template.jinja)"));
      }
      return ChatTemplate.PLAIN;
    }
    try { // a template that Jinjava cannot render is found out at start, not on the first request
      own.get().render(List.of(new Message("system", "s"), new Message("user", "u")));
    } catch (ChatTemplate.TemplateRefusal refused) {
      // refusing a system message is the template's right; it renders
    } catch (RuntimeException e) {
      if (c.equals("model")) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      log.accept("The chat template " + own.get().name() + " cannot be rendered here (" + e.getMessage()
          + "); serving plain prompts instead. Pass --chat-template transcript|plain to choose.");
      return ChatTemplate.PLAIN;
    }
    log.accept("Chat template: " + own.get().name());
    return own.get();
  }
}
