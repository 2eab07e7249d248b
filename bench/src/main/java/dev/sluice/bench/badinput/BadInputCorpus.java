package dev.sluice.bench.badinput;

import dev.sluice.bench.badinput.BadInput.Channel;
import dev.sluice.bench.badinput.BadInput.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bad inputs a serving system meets: malformed and mistyped OpenAI bodies, roles and values out of
 * range, bodies at and past the size limit; and on the requests topic, bytes that are no request,
 * requests that name an id but cannot be served, and a record far larger than any prompt limit.
 */
final class BadInputCorpus {
  private static final String COMPLETIONS = "/v1/completions";
  private static final String CHAT = "/v1/chat/completions";
  private static final String JSON = "application/json";

  private BadInputCorpus() {}

  static List<BadInput> all(String model, int maxBodyBytes) {
    List<BadInput> c = new ArrayList<>();
    // HTTP: every one a 4xx with an OpenAI error object
    http(c, "not JSON", COMPLETIONS, JSON, "{\"prompt\": ");
    http(c, "a JSON array", COMPLETIONS, JSON, "[{\"prompt\": \"hi\"}]");
    http(c, "no prompt", COMPLETIONS, JSON, "{\"model\": \"" + model + "\", \"max_tokens\": 4}");
    http(c, "prompt is a number", COMPLETIONS, JSON, "{\"prompt\": 42, \"max_tokens\": 4}");
    http(c, "max_tokens negative", COMPLETIONS, JSON, "{\"prompt\": \"hi\", \"max_tokens\": -1}");
    http(c, "max_tokens a string", COMPLETIONS, JSON, "{\"prompt\": \"hi\", \"max_tokens\": \"four\"}");
    http(c, "temperature 5", COMPLETIONS, JSON, "{\"prompt\": \"hi\", \"max_tokens\": 4, \"temperature\": 5}");
    http(c, "top_p 0", COMPLETIONS, JSON, "{\"prompt\": \"hi\", \"max_tokens\": 4, \"top_p\": 0}");
    http(c, "stream is a string", COMPLETIONS, JSON, "{\"prompt\": \"hi\", \"max_tokens\": 4, \"stream\": \"yes\"}");
    http(c, "unknown model", COMPLETIONS, JSON, "{\"model\": \"no-such-model\", \"prompt\": \"hi\", \"max_tokens\": 4}");
    http(c, "max_tokens past the limit", COMPLETIONS, JSON, "{\"prompt\": \"hi\", \"max_tokens\": 100000000}");
    http(c, "body past the size limit", COMPLETIONS, JSON,
        "{\"prompt\": \"" + "a".repeat(maxBodyBytes + 16) + "\", \"max_tokens\": 4}");
    http(c, "prompt past the token limit", COMPLETIONS, JSON,
        "{\"prompt\": \"" + "tell me a story ".repeat(Math.max(1, (maxBodyBytes - 1024) / 16)) + "\", \"max_tokens\": 4}");
    http(c, "not JSON content type", COMPLETIONS, "text/plain", "prompt=hi");
    http(c, "chat: empty messages", CHAT, JSON, "{\"messages\": []}");
    http(c, "chat: messages not a list", CHAT, JSON, "{\"messages\": \"hi\"}");
    http(c, "chat: unknown role", CHAT, JSON, "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}");
    http(c, "chat: null content", CHAT, JSON, "{\"messages\": [{\"role\": \"user\", \"content\": null}]}");
    http(c, "chat: content a number", CHAT, JSON, "{\"messages\": [{\"role\": \"user\", \"content\": 7}]}");
    http(c, "chat: no role", CHAT, JSON, "{\"messages\": [{\"content\": \"hi\"}]}");
    http(c, "chat: tool message without tools", CHAT, JSON,
        "{\"messages\": [{\"role\": \"tool\", \"content\": \"42\", \"tool_call_id\": \"c1\"}]}");
    // Kafka, no request in the bytes: the DLQ
    kafka(c, "garbage bytes", null, false, Outcome.DLQ);
    kafka(c, "JSON that does not parse", "{\"requestId\": ", true, Outcome.DLQ);
    kafka(c, "a JSON array", "[1, 2, 3]", true, Outcome.DLQ);
    kafka(c, "a tombstone", null, false, Outcome.DLQ);
    // Kafka, a request id but not servable: one ERROR result
    kafka(c, "maxTokens a string", "{\"requestId\": \"%s\", \"prompt\": \"hi\", \"maxTokens\": \"four\"}", true,
        Outcome.ERROR_RESULT);
    kafka(c, "an unknown field", "{\"requestId\": \"%s\", \"prompt\": \"hi\", \"maxTokens\": 4, \"colour\": \"red\"}",
        true, Outcome.ERROR_RESULT);
    kafka(c, "no prompt", "{\"requestId\": \"%s\", \"maxTokens\": 4}", true, Outcome.ERROR_RESULT);
    kafka(c, "maxTokens 0", "{\"requestId\": \"%s\", \"prompt\": \"hi\", \"maxTokens\": 0}", true, Outcome.ERROR_RESULT);
    kafka(c, "a token id outside the vocabulary",
        "{\"requestId\": \"%s\", \"promptTokens\": [1, 99999999], \"maxTokens\": 4}", true, Outcome.ERROR_RESULT);
    kafka(c, "unknown model", "{\"requestId\": \"%s\", \"model\": \"no-such-model\", \"prompt\": \"hi\", \"maxTokens\": 4}",
        true, Outcome.ERROR_RESULT);
    kafka(c, "deadline in the past",
        "{\"requestId\": \"%s\", \"prompt\": \"hi\", \"maxTokens\": 4, \"deadlineMs\": 1000}", true, Outcome.ERROR_RESULT);
    kafka(c, "a 5 MB prompt", "{\"requestId\": \"%s\", \"prompt\": \"" + "once upon a time ".repeat(5 * 1024 * 1024 / 17)
        + "\", \"maxTokens\": 4}", true, Outcome.ERROR_RESULT);
    return c;
  }

  private static void http(List<BadInput> c, String name, String path, String contentType, String body) {
    c.add(new BadInput(name, Channel.HTTP, path, contentType, body.getBytes(StandardCharsets.UTF_8), true,
        "http-" + c.size(), Outcome.HTTP_4XX));
  }

  /** {@code template} gets the marker for its %s (the request id); null = garbage bytes, or a tombstone by name. */
  private static void kafka(List<BadInput> c, String name, String template, boolean json, Outcome expected) {
    String marker = "bad-input-" + c.size() + "-" + Long.toHexString(System.nanoTime());
    byte[] body;
    if (template == null) {
      body = name.equals("a tombstone") ? null : ("\u0000\u0001\u00ff not avro, not json " + marker).getBytes(StandardCharsets.ISO_8859_1);
    } else {
      body = (template.contains("%s") ? template.formatted(marker) : template).getBytes(StandardCharsets.UTF_8);
    }
    c.add(new BadInput(name, Channel.KAFKA, null, null, body, json, marker, expected));
  }
}
