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

  /**
   * JSON bodies to {@code /v1/completions}, one a line: name | body ({@code {model}} stands for the served
   * model). Each one a 4xx with an OpenAI error object.
   */
  private static final String COMPLETIONS_BODIES = """
      not JSON                  | {"prompt":\s
      a JSON array              | [{"prompt": "hi"}]
      no prompt                 | {"model": "{model}", "max_tokens": 4}
      prompt is a number        | {"prompt": 42, "max_tokens": 4}
      max_tokens negative       | {"prompt": "hi", "max_tokens": -1}
      max_tokens a string       | {"prompt": "hi", "max_tokens": "four"}
      temperature 5             | {"prompt": "hi", "max_tokens": 4, "temperature": 5}
      top_p 0                   | {"prompt": "hi", "max_tokens": 4, "top_p": 0}
      stream is a string        | {"prompt": "hi", "max_tokens": 4, "stream": "yes"}
      unknown model             | {"model": "no-such-model", "prompt": "hi", "max_tokens": 4}
      max_tokens past the limit | {"prompt": "hi", "max_tokens": 100000000}
      """;

  /** JSON bodies to {@code /v1/chat/completions}, as {@link #COMPLETIONS_BODIES}. */
  private static final String CHAT_BODIES = """
      chat: empty messages             | {"messages": []}
      chat: messages not a list        | {"messages": "hi"}
      chat: unknown role               | {"messages": [{"role": "wizard", "content": "hi"}]}
      chat: null content               | {"messages": [{"role": "user", "content": null}]}
      chat: content a number           | {"messages": [{"role": "user", "content": 7}]}
      chat: no role                    | {"messages": [{"content": "hi"}]}
      chat: tool message without tools | {"messages": [{"role": "tool", "content": "42", "tool_call_id": "c1"}]}
      """;

  /**
   * Requests on the requests topic that name their id ({@code %s}) but cannot be served, as
   * {@link #COMPLETIONS_BODIES}: each one an ERROR result.
   */
  private static final String UNSERVABLE_REQUESTS = """
      maxTokens a string                | {"requestId": "%s", "prompt": "hi", "maxTokens": "four"}
      an unknown field                  | {"requestId": "%s", "prompt": "hi", "maxTokens": 4, "colour": "red"}
      no prompt                         | {"requestId": "%s", "maxTokens": 4}
      maxTokens 0                       | {"requestId": "%s", "prompt": "hi", "maxTokens": 0}
      a token id outside the vocabulary | {"requestId": "%s", "promptTokens": [1, 99999999], "maxTokens": 4}
      unknown model                     | {"requestId": "%s", "model": "no-such-model", "prompt": "hi", "maxTokens": 4}
      deadline in the past              | {"requestId": "%s", "prompt": "hi", "maxTokens": 4, "deadlineMs": 1000}
      """;

  private BadInputCorpus() {}

  static List<BadInput> all(String model, int maxBodyBytes) {
    List<BadInput> c = new ArrayList<>();
    // HTTP: every one a 4xx with an OpenAI error object
    for (String[] row : rows(COMPLETIONS_BODIES)) http(c, row[0], COMPLETIONS, JSON, row[1].replace("{model}", model));
    http(c, "body past the size limit", COMPLETIONS, JSON,
        "{\"prompt\": \"" + "a".repeat(maxBodyBytes + 16) + "\", \"max_tokens\": 4}");
    http(c, "prompt past the token limit", COMPLETIONS, JSON,
        "{\"prompt\": \"" + "tell me a story ".repeat(Math.max(1, (maxBodyBytes - 1024) / 16)) + "\", \"max_tokens\": 4}");
    http(c, "not JSON content type", COMPLETIONS, "text/plain", "prompt=hi");
    for (String[] row : rows(CHAT_BODIES)) http(c, row[0], CHAT, JSON, row[1]);
    // Kafka, no request in the bytes: the DLQ
    kafka(c, "garbage bytes", null, false, Outcome.DLQ);
    kafka(c, "JSON that does not parse", "{\"requestId\": ", true, Outcome.DLQ);
    kafka(c, "a JSON array", "[1, 2, 3]", true, Outcome.DLQ);
    kafka(c, "a tombstone", null, false, Outcome.DLQ);
    // Kafka, a request id but not servable: one ERROR result
    for (String[] row : rows(UNSERVABLE_REQUESTS)) kafka(c, row[0], row[1], true, Outcome.ERROR_RESULT);
    kafka(c, "a 5 MB prompt", "{\"requestId\": \"%s\", \"prompt\": \"" + "once upon a time ".repeat(5 * 1024 * 1024 / 17)
        + "\", \"maxTokens\": 4}", true, Outcome.ERROR_RESULT);
    return c;
  }

  /** The rows of a table above: name and body, split at the first {@code |}. */
  private static List<String[]> rows(String table) {
    return table.lines().map(line -> line.split("\\s*\\|\\s*", 2)).toList();
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
