package dev.sluice.results.tail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.results.Completion;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a finished request is printed by {@code results tail} and written by {@code results export}. */
public final class CompletionLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TAIL_TEXT_CHARS = 120;

  private CompletionLines() {}

  /**
   * One line, starting with the request id:
   * {@code <id>  STOP  412 ms  cached 32/40  "Once upon a time..."}, or the error code and message.
   */
  public static String tailLine(Completion c) {
    String latency = c.latencyMs() >= 0 ? c.latencyMs() + " ms" : "? ms";
    StringBuilder line = new StringBuilder()
        .append(c.requestId()).append("  ")
        .append(c.finishReason()).append("  ")
        .append(latency).append("  ")
        .append("cached ").append(c.cachedPromptTokens()).append('/').append(c.promptTokens()).append("  ");
    if (c.isError()) {
      line.append(c.errorCode()).append(": ").append(c.errorMessage());
    } else {
      String text = c.text().replace("\n", "\\n");
      if (text.length() > TAIL_TEXT_CHARS) text = text.substring(0, TAIL_TEXT_CHARS) + "...";
      line.append('"').append(text).append('"');
    }
    return line.toString();
  }

  /** One JSON object per completion, with every field of {@link Completion}. */
  public static String jsonLine(Completion c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("request_id", c.requestId());
    m.put("model", c.model());
    m.put("text", c.text());
    m.put("token_ids", c.tokenIds());
    m.put("finish_reason", c.finishReason() == null ? null : c.finishReason().name().toLowerCase());
    m.put("prompt_tokens", c.promptTokens());
    m.put("cached_prompt_tokens", c.cachedPromptTokens());
    m.put("completion_tokens", c.completionTokens());
    m.put("created_at_ms", c.createdAtMs());
    m.put("first_token_at_ms", c.firstTokenAtMs());
    m.put("done_at_ms", c.doneAtMs());
    m.put("latency_ms", c.latencyMs());
    m.put("error_code", c.errorCode());
    m.put("error_message", c.errorMessage());
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
