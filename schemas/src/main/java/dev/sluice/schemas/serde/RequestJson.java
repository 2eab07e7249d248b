package dev.sluice.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schemas.InferenceRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes an InferenceRequest as JSON, so any Kafka client (kafka-console-producer included)
 * can send a request. Field names are the Avro ones (camelCase); the OpenAI snake_case spellings
 * (max_tokens, top_p, top_k, request_id, prompt_tokens, cache_salt, session_id, deadline_ms) are
 * accepted too. Unknown fields are rejected so that typos do not silently change a request.
 */
public final class RequestJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> KNOWN = Set.of(
      "requestId", "model", "prompt", "promptTokens", "maxTokens", "temperature", "topP", "stop", "seed",
      "stream", "sessionId", "createdAtMs", "topK", "cacheSalt", "deadlineMs");

  private RequestJson() {}

  public static InferenceRequest parse(byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (root != null && root.isArray()) {
      throw new IllegalArgumentException("a JSON array is not a request: send each request as one JSON object per record");
    }
    if (root == null || !root.isObject()) throw new IllegalArgumentException("a request must be a JSON object");
    ObjectNode obj = normalise((ObjectNode) root);
    InferenceRequest.Builder b = InferenceRequest.newBuilder();
    if (obj.hasNonNull("requestId")) b.setRequestId(text(obj, "requestId"));
    if (obj.hasNonNull("model")) b.setModel(text(obj, "model"));
    if (obj.hasNonNull("prompt")) b.setPrompt(text(obj, "prompt"));
    if (obj.hasNonNull("promptTokens")) b.setPromptTokens(ints(obj, "promptTokens"));
    if (obj.hasNonNull("maxTokens")) b.setMaxTokens(integer(obj, "maxTokens"));
    if (obj.hasNonNull("temperature")) b.setTemperature((float) number(obj, "temperature"));
    if (obj.hasNonNull("topP")) b.setTopP((float) number(obj, "topP"));
    if (obj.hasNonNull("topK")) b.setTopK(integer(obj, "topK"));
    if (obj.hasNonNull("stop")) b.setStop(strings(obj, "stop"));
    if (obj.hasNonNull("seed")) b.setSeed(longValue(obj, "seed"));
    if (obj.hasNonNull("stream")) b.setStream(bool(obj, "stream"));
    if (obj.hasNonNull("sessionId")) b.setSessionId(text(obj, "sessionId"));
    if (obj.hasNonNull("createdAtMs")) b.setCreatedAtMs(longValue(obj, "createdAtMs"));
    if (obj.hasNonNull("cacheSalt")) b.setCacheSalt(text(obj, "cacheSalt"));
    if (obj.hasNonNull("deadlineMs")) b.setDeadlineMs(longValue(obj, "deadlineMs"));
    return b.build();
  }

  public static String write(InferenceRequest r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("requestId", r.getRequestId());
    if (r.getModel() != null) o.put("model", r.getModel());
    if (r.getPrompt() != null) o.put("prompt", r.getPrompt());
    if (r.getPromptTokens() != null) {
      ArrayNode a = o.putArray("promptTokens");
      r.getPromptTokens().forEach(a::add);
    }
    o.put("maxTokens", r.getMaxTokens());
    o.put("temperature", r.getTemperature());
    o.put("topP", r.getTopP());
    o.put("topK", r.getTopK());
    ArrayNode stop = o.putArray("stop");
    r.getStop().forEach(stop::add);
    if (r.getSeed() != null) o.put("seed", r.getSeed());
    o.put("stream", r.getStream());
    if (r.getSessionId() != null) o.put("sessionId", r.getSessionId());
    o.put("createdAtMs", r.getCreatedAtMs());
    if (r.getCacheSalt() != null) o.put("cacheSalt", r.getCacheSalt());
    if (r.getDeadlineMs() != null) o.put("deadlineMs", r.getDeadlineMs());
    return o.toString();
  }

  /** Maps snake_case names to camelCase and rejects unknown fields. */
  private static ObjectNode normalise(ObjectNode in) {
    ObjectNode out = MAPPER.createObjectNode();
    for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      String camel = camel(name);
      if (!KNOWN.contains(camel)) {
        throw new IllegalArgumentException("unknown field '" + name + "'; known fields: " + KNOWN);
      }
      out.set(camel, in.get(name));
    }
    return out;
  }

  private static String camel(String name) {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  private static String text(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isTextual()) throw new IllegalArgumentException("'" + f + "' must be a string");
    return n.asText();
  }

  private static double number(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isNumber()) throw new IllegalArgumentException("'" + f + "' must be a number");
    return n.asDouble();
  }

  private static int integer(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isIntegralNumber() || !n.canConvertToInt()) throw new IllegalArgumentException("'" + f + "' must be an integer");
    return n.asInt();
  }

  private static long longValue(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isIntegralNumber() || !n.canConvertToLong()) throw new IllegalArgumentException("'" + f + "' must be an integer");
    return n.asLong();
  }

  private static boolean bool(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isBoolean()) throw new IllegalArgumentException("'" + f + "' must be true or false");
    return n.asBoolean();
  }

  private static List<Integer> ints(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isArray()) throw new IllegalArgumentException("'" + f + "' must be an array of integers");
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isIntegralNumber() || !e.canConvertToInt()) throw new IllegalArgumentException("'" + f + "' must be an array of integers");
      out.add(e.asInt());
    }
    return out;
  }

  private static List<String> strings(ObjectNode o, String f) {
    JsonNode n = o.get(f);
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.asText());
      return out;
    }
    if (!n.isArray()) throw new IllegalArgumentException("'" + f + "' must be a string or an array of strings");
    for (JsonNode e : n) {
      if (!e.isTextual()) throw new IllegalArgumentException("'" + f + "' must be a string or an array of strings");
      out.add(e.asText());
    }
    return out;
  }
}
