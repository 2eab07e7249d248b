package dev.sluice.ingress.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.results.Completion;
import dev.sluice.schemas.FinishReason;

/** The OpenAI response shapes: completions, chat completions, their stream chunks, errors. */
public final class OpenAiJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private OpenAiJson() {}

  public static String responseId(boolean chat, String requestId) {
    return (chat ? "chatcmpl-" : "cmpl-") + requestId;
  }

  public static ObjectNode error(ApiError e) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("param", e.param());
    error.put("code", e.code());
    return root;
  }

  /** The whole answer of a non-streaming request. */
  public static ObjectNode completion(boolean chat, String model, long createdSec, Completion c) {
    ObjectNode root = header(chat, chat ? "chat.completion" : "text_completion", model, createdSec, c.requestId());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", c.text());
    } else {
      choice.put("text", c.text());
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(c.finishReason()));
    root.set("usage", usage(c));
    return root;
  }

  /** A streamed delta; {@code role} only on the first chat chunk. */
  public static ObjectNode chunk(boolean chat, String model, long createdSec, String requestId, String text, boolean withRole) {
    ObjectNode root = header(chat, chat ? "chat.completion.chunk" : "text_completion", model, createdSec, requestId);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      ObjectNode delta = choice.putObject("delta");
      if (withRole) delta.put("role", "assistant");
      delta.put("content", text);
    } else {
      choice.put("text", text);
    }
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return root;
  }

  /** The chunk that ends the choice, with its finish reason and an empty delta. */
  public static ObjectNode finalChunk(boolean chat, String model, long createdSec, Completion c) {
    ObjectNode root = header(chat, chat ? "chat.completion.chunk" : "text_completion", model, createdSec, c.requestId());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) choice.putObject("delta"); else choice.put("text", "");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(c.finishReason()));
    return root;
  }

  /** {@code stream_options.include_usage}: a last chunk with no choices and the usage. */
  public static ObjectNode usageChunk(boolean chat, String model, long createdSec, Completion c) {
    ObjectNode root = header(chat, chat ? "chat.completion.chunk" : "text_completion", model, createdSec, c.requestId());
    root.putArray("choices");
    root.set("usage", usage(c));
    return root;
  }

  private static ObjectNode header(boolean chat, String object, String model, long createdSec, String requestId) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", responseId(chat, requestId));
    root.put("object", object);
    root.put("created", createdSec);
    root.put("model", model);
    return root;
  }

  private static ObjectNode usage(Completion c) {
    ObjectNode usage = MAPPER.createObjectNode();
    usage.put("prompt_tokens", c.promptTokens());
    usage.put("completion_tokens", c.completionTokens());
    usage.put("total_tokens", c.promptTokens() + c.completionTokens());
    usage.putObject("prompt_tokens_details").put("cached_tokens", c.cachedPromptTokens());
    return usage;
  }

  /** OpenAI's names; a cancelled request (Sluice's own reason) says "cancelled". */
  private static String finishReason(FinishReason reason) {
    if (reason == FinishReason.LENGTH) return "length";
    return reason == FinishReason.CANCELLED ? "cancelled" : "stop";
  }

  public static ArrayNode array() {
    return MAPPER.createArrayNode();
  }
}
