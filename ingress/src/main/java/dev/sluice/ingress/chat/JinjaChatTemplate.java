package dev.sluice.ingress.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.sluice.ingress.openai.ChatTemplate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's own Jinja chat template, rendered with Jinjava the way transformers'
 * {@code apply_chat_template} renders it with Jinja2: {@code trim_blocks} and {@code lstrip_blocks}
 * on, one trailing newline of the source dropped (Jinja2's default), variables {@code messages}
 * (role and content of each), {@code bos_token}, {@code eos_token}, {@code add_generation_prompt}
 * (always true: the model is to answer), the functions {@code raise_exception(message)} and
 * {@code strftime_now(format)}, and the Python {@code str} methods templates call
 * ({@link PythonStringMethods}).
 */
public final class JinjaChatTemplate implements ChatTemplate {
  /** What raise_exception was called with during the current render (Jinjava reports only that a function failed). */
  private static final ThreadLocal<String> REFUSAL = new ThreadLocal<>();

  private final String name;
  private final String source;
  private final String bosToken;
  private final String eosToken;
  private final Jinjava jinjava;

  /**
   * @param name where the template came from (shown in logs)
   * @param bosToken the tokenizer's BOS text, or "" when it has none
   * @param eosToken the tokenizer's EOS text, or ""
   */
  public JinjaChatTemplate(String name, String source, String bosToken, String eosToken) {
    this.name = name;
    this.source = Jinja2Syntax.rewrite(source.endsWith("\n") ? source.substring(0, source.length() - 1) : source);
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    // Jinja2 semantics where Jinjava's defaults differ: {{- x -}} trims like {%- -%}, "a + b | f" filters b
    // only, and/or/not bind as in Python
    LegacyOverrides jinja2 = LegacyOverrides.newBuilder().withUseTrimmingForNotesAndExpressions(true)
        .withUseNaturalOperatorPrecedence(true).withParseWhitespaceControlStrictly(true)
        .withKeepNullableLoopValues(true).build();
    CompositeELResolver resolvers = new CompositeELResolver(); // Python's str methods first, then Jinjava's own
    resolvers.add(new PythonStringMethods());
    resolvers.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
        .withLegacyOverrides(jinja2).withElResolver(resolvers).build());
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaChatTemplate.class,
        "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaChatTemplate.class,
        "strftimeNow", String.class));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String render(List<Message> messages) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("role", m.role().equals("developer") ? "system" : m.role());
      message.put("content", m.content());
      list.add(message);
    }
    Map<String, Object> bindings = new HashMap<>();
    bindings.put("messages", list);
    bindings.put("bos_token", bosToken);
    bindings.put("eos_token", eosToken);
    bindings.put("add_generation_prompt", true);
    RenderResult result;
    REFUSAL.remove();
    try {
      result = jinjava.renderForResult(source, bindings);
      if (REFUSAL.get() != null) {
        throw new TemplateRefusal(REFUSAL.get());
      }
    } finally {
      REFUSAL.remove();
    }
    List<String> fatal = result.getErrors().stream()
        .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
        .map(e -> e.getMessage() + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "")).toList();
    if (!fatal.isEmpty()) {
      throw new IllegalStateException("the chat template of " + name + " cannot be rendered: " + String.join("; ", fatal));
    }
    return result.getOutput();
  }

  /** Jinja {@code raise_exception(message)}: the template refuses these messages. */
  public static String raiseException(String message) {
    if (REFUSAL.get() == null) {
      REFUSAL.set(message);
    }
    throw new IllegalArgumentException(message);
  }

  /** Jinja {@code strftime_now(format)}, for templates that print today's date (Llama 3.1). */
  public static String strftimeNow(String format) {
    LocalDateTime now = LocalDateTime.now();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char f = format.charAt(++i);
      out.append(switch (f) {
        case 'd' -> String.format(Locale.ROOT, "%02d", now.getDayOfMonth());
        case 'm' -> String.format(Locale.ROOT, "%02d", now.getMonthValue());
        case 'Y' -> Integer.toString(now.getYear());
        case 'y' -> String.format(Locale.ROOT, "%02d", now.getYear() % 100);
        case 'b' -> now.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH));
        case 'B' -> now.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH));
        case 'H' -> String.format(Locale.ROOT, "%02d", now.getHour());
        case 'M' -> String.format(Locale.ROOT, "%02d", now.getMinute());
        case '%' -> "%";
        default -> "%" + f;
      });
    }
    return out.toString();
  }
}
