package dev.sluice.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated OpenAI completions or chat request, in Sluice's terms. Parsing follows the OpenAI
 * fields; a wrong type or range is a 400 that names the field ({@code param}).
 *
 * @param prompt prompt text (null when {@code promptTokens} is given)
 * @param promptTokens pre-tokenized prompt (completions only)
 * @param model requested model name (the served one when absent)
 * @param topK extension (as in vLLM): keep the k most likely tokens; 0 disables
 * @param cacheSalt extension (as in vLLM): only requests with the same salt share KV cache
 * @param includeUsage {@code stream_options.include_usage}: a last chunk carries usage
 */
public record GenerationRequest(
    boolean chat,
    String model,
    String prompt,
    List<Integer> promptTokens,
    int maxTokens,
    float temperature,
    float topP,
    int topK,
    List<String> stop,
    Long seed,
    boolean stream,
    boolean includeUsage,
    String cacheSalt,
    String user) {

  private static final int MAX_STOP_SEQUENCES = 4;

  public static GenerationRequest completion(JsonNode body, String servedModel, int defaultMaxTokens) {
    return completion(body, servedModel, defaultMaxTokens, SamplingDefaults.OPENAI);
  }

  public static GenerationRequest completion(JsonNode body, String servedModel, int defaultMaxTokens,
      SamplingDefaults defaults) {
    requireObject(body);
    JsonNode p = body.get("prompt");
    String prompt = null;
    List<Integer> tokens = null;
    if (p == null || p.isNull()) throw ApiError.invalid("prompt", "'prompt' is required");
    if (p.isTextual()) {
      prompt = p.asText();
    } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
      prompt = p.get(0).asText();
    } else if (p.isArray() && p.size() > 0 && p.get(0).isInt()) {
      tokens = tokenIds(p);
    } else if (p.isArray() && p.size() == 1 && p.get(0).isArray()) {
      tokens = tokenIds(p.get(0));
    } else if (p.isArray() && p.size() > 1) {
      throw ApiError.invalid("prompt", "batched prompts are not supported; send one prompt per request");
    } else {
      throw ApiError.invalid("prompt", "'prompt' must be a string or an array of token ids");
    }
    if (body.path("echo").asBoolean(false)) throw ApiError.invalid("echo", "'echo' is not supported");
    if (body.hasNonNull("suffix")) throw ApiError.invalid("suffix", "'suffix' is not supported");
    return common(body, false, servedModel, prompt, tokens, intField(body, "max_tokens", defaultMaxTokens), defaults);
  }

  public static GenerationRequest chat(JsonNode body, String servedModel, int defaultMaxTokens, ChatTemplate template) {
    return chat(body, servedModel, defaultMaxTokens, template, SamplingDefaults.OPENAI);
  }

  public static GenerationRequest chat(JsonNode body, String servedModel, int defaultMaxTokens, ChatTemplate template,
      SamplingDefaults defaults) {
    requireObject(body);
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw ApiError.invalid("messages", "'messages' must be a non-empty array");
    }
    rejectTools(body);
    List<ChatTemplate.Message> list = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      list.add(message(messages.get(i), "messages[" + i + "]"));
    }
    String prompt;
    try {
      prompt = template.render(list);
    } catch (ChatTemplate.TemplateRefusal e) {
      throw ApiError.invalid("messages", e.getMessage());
    }
    int maxTokens = body.hasNonNull("max_completion_tokens")
        ? intField(body, "max_completion_tokens", defaultMaxTokens)
        : intField(body, "max_tokens", defaultMaxTokens);
    return common(body, true, servedModel, prompt, null, maxTokens, defaults);
  }

  private static GenerationRequest common(JsonNode body, boolean chat, String servedModel, String prompt,
      List<Integer> tokens, int maxTokens, SamplingDefaults defaults) {
    if (maxTokens < 1) throw ApiError.invalid(chat && body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", "must be >= 1");
    JsonNode model = body.get("model");
    if (model != null && !model.isNull() && !model.isTextual()) throw ApiError.invalid("model", "'model' must be a string");
    String modelName = model == null || model.isNull() ? servedModel : model.asText();
    if (intField(body, "n", 1) != 1) throw ApiError.invalid("n", "only n=1 is supported");
    float temperature = floatField(body, "temperature", defaults.temperature());
    if (temperature < 0 || temperature > 2) throw ApiError.invalid("temperature", "must be in [0, 2]");
    float topP = floatField(body, "top_p", defaults.topP());
    if (topP <= 0 || topP > 1) throw ApiError.invalid("top_p", "must be in (0, 1]");
    int topK = intField(body, "top_k", defaults.topK());
    if (topK < 0 && topK != -1) throw ApiError.invalid("top_k", "must be >= 0 (or -1 to disable)");
    Long seed = null;
    if (body.hasNonNull("seed")) {
      if (!body.get("seed").isIntegralNumber()) throw ApiError.invalid("seed", "'seed' must be an integer");
      seed = body.get("seed").asLong();
    }
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) throw ApiError.invalid("stream", "'stream' must be a boolean");
    JsonNode salt = body.get("cache_salt");
    if (salt != null && !salt.isNull() && !salt.isTextual()) throw ApiError.invalid("cache_salt", "'cache_salt' must be a string");
    return new GenerationRequest(chat, modelName, prompt, tokens, maxTokens, temperature, topP, Math.max(topK, 0),
        stop(body.get("stop")), seed, stream != null && stream.asBoolean(),
        body.path("stream_options").path("include_usage").asBoolean(false),
        salt == null || salt.isNull() ? null : salt.asText(),
        body.path("user").isTextual() ? body.get("user").asText() : null);
  }

  private static void requireObject(JsonNode body) {
    if (body == null || !body.isObject()) throw ApiError.invalid(null, "the request body must be a JSON object");
  }

  /**
   * One chat message, checked as the OpenAI API checks it: a known role; content a string or text
   * parts, required (null or absent only where the spec allows it, an assistant message with
   * tool_calls — and tools are not supported); name a string. Tool messages and tool calls are 400s
   * that say tools are not supported.
   */
  private static ChatTemplate.Message message(JsonNode m, String param) {
    if (!m.isObject()) throw ApiError.invalid(param, param + " must be an object with 'role' and 'content'");
    JsonNode roleNode = m.get("role");
    if (roleNode == null || !roleNode.isTextual()) throw ApiError.invalid(param + ".role", param + " needs a string 'role'");
    String role = roleNode.asText();
    if (role.equals("tool") || role.equals("function")) {
      throw ApiError.invalid(param + ".role", "'" + role + "' messages answer tool calls, and this server does not support "
          + "tools (no 'tools' parameter, no tool_calls)");
    }
    if (!ChatTemplate.ROLES.contains(role)) {
      throw ApiError.invalid(param + ".role", "unknown message role '" + role + "' (use system, developer, user or assistant)");
    }
    if (m.has("tool_calls") || m.has("function_call")) {
      throw ApiError.invalid(param + ".tool_calls", "this server does not support tools, so messages cannot carry tool calls");
    }
    JsonNode name = m.get("name");
    if (name != null && !name.isNull() && !name.isTextual()) throw ApiError.invalid(param + ".name", "'name' must be a string");
    JsonNode content = m.get("content");
    if (content == null || content.isNull()) {
      throw ApiError.invalid(param + ".content", param + " (" + role + ") needs 'content': a string or an array of text parts");
    }
    return new ChatTemplate.Message(role, content(content, param + ".content"));
  }

  /** Tools, functions and structured output are not supported: say so rather than ignore them. */
  private static void rejectTools(JsonNode body) {
    for (String field : new String[] {"tools", "functions"}) {
      JsonNode v = body.get(field);
      if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
        throw ApiError.invalid(field, "this server does not support tools ('" + field + "')");
      }
    }
    for (String field : new String[] {"tool_choice", "function_call"}) {
      JsonNode v = body.get(field);
      if (v != null && !v.isNull() && !"none".equals(v.asText(null))) {
        throw ApiError.invalid(field, "this server does not support tools; '" + field + "' may only be \"none\"");
      }
    }
    JsonNode format = body.path("response_format").path("type");
    if (!format.isMissingNode() && !"text".equals(format.asText())) {
      throw ApiError.invalid("response_format", "only response_format {\"type\": \"text\"} is supported");
    }
  }

  private static String content(JsonNode c, String param) {
    if (c.isTextual()) return c.asText();
    if (c.isArray()) { // content parts: only text parts are supported
      StringBuilder text = new StringBuilder();
      for (JsonNode part : c) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ApiError.invalid(param, "only text content parts ({\"type\": \"text\", \"text\": ...}) are supported");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiError.invalid(param, "message 'content' must be a string or an array of text parts");
  }

  private static List<Integer> tokenIds(JsonNode array) {
    List<Integer> ids = new ArrayList<>();
    for (JsonNode t : array) {
      if (!t.isInt() || t.asInt() < 0) throw ApiError.invalid("prompt", "token ids must be non-negative integers");
      ids.add(t.asInt());
    }
    if (ids.isEmpty()) throw ApiError.invalid("prompt", "the prompt has no tokens");
    return ids;
  }

  private static List<String> stop(JsonNode stop) {
    if (stop == null || stop.isNull()) return List.of();
    List<String> list = new ArrayList<>();
    if (stop.isTextual()) {
      list.add(stop.asText());
    } else if (stop.isArray()) {
      for (JsonNode s : stop) {
        if (!s.isTextual()) throw ApiError.invalid("stop", "stop sequences must be strings");
        list.add(s.asText());
      }
    } else {
      throw ApiError.invalid("stop", "'stop' must be a string or an array of strings");
    }
    if (list.size() > MAX_STOP_SEQUENCES) throw ApiError.invalid("stop", "at most " + MAX_STOP_SEQUENCES + " stop sequences");
    if (list.stream().anyMatch(String::isEmpty)) throw ApiError.invalid("stop", "stop sequences must not be empty");
    return list;
  }

  private static int intField(JsonNode body, String name, int fallback) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) return fallback;
    if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.invalid(name, "'" + name + "' must be an integer");
    return v.asInt();
  }

  private static float floatField(JsonNode body, String name, float fallback) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) return fallback;
    if (!v.isNumber()) throw ApiError.invalid(name, "'" + name + "' must be a number");
    return (float) v.asDouble();
  }
}
