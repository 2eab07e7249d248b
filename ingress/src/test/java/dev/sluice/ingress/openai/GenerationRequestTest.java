package dev.sluice.ingress.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static GenerationRequest completion(String body) throws Exception {
    return GenerationRequest.completion(JSON.readTree(body), "stories260K", 16);
  }

  private static void assertRejected(String body, String param) {
    assertThatThrownBy(() -> completion(body)).isInstanceOfSatisfying(ApiError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.param()).isEqualTo(param);
    });
  }

  @Test
  void shouldApplyOpenAiDefaultsAndTheServedModel() throws Exception {
    GenerationRequest r = completion("{\"prompt\":\"Once\"}");

    assertThat(r.model()).isEqualTo("stories260K");
    assertThat(r.maxTokens()).isEqualTo(16);
    assertThat(r.temperature()).isEqualTo(1.0f);
    assertThat(r.topP()).isEqualTo(1.0f);
    assertThat(r.seed()).isNull();
    assertThat(r.stream()).isFalse();
  }

  @Test
  void shouldAcceptTokenPromptsSingleStringArraysAndStopStrings() throws Exception {
    assertThat(completion("{\"prompt\":[1, 403, 9]}").promptTokens()).containsExactly(1, 403, 9);
    assertThat(completion("{\"prompt\":[[1, 2]]}").promptTokens()).containsExactly(1, 2);
    assertThat(completion("{\"prompt\":[\"Once\"]}").prompt()).isEqualTo("Once");
    assertThat(completion("{\"prompt\":\"x\",\"stop\":\"\\n\"}").stop()).containsExactly("\n");
    assertThat(completion("{\"prompt\":\"x\",\"seed\":7,\"top_k\":5,\"cache_salt\":\"tenant-a\"}"))
        .satisfies(r -> {
          assertThat(r.seed()).isEqualTo(7L);
          assertThat(r.topK()).isEqualTo(5);
          assertThat(r.cacheSalt()).isEqualTo("tenant-a");
        });
  }

  @Test
  void shouldRejectInvalidFieldsNamingThem() {
    assertRejected("{}", "prompt");
    assertRejected("{\"prompt\":[\"a\",\"b\"]}", "prompt");
    assertRejected("{\"prompt\":\"x\",\"max_tokens\":0}", "max_tokens");
    assertRejected("{\"prompt\":\"x\",\"max_tokens\":1.5}", "max_tokens");
    assertRejected("{\"prompt\":\"x\",\"temperature\":3}", "temperature");
    assertRejected("{\"prompt\":\"x\",\"top_p\":0}", "top_p");
    assertRejected("{\"prompt\":\"x\",\"n\":2}", "n");
    assertRejected("{\"prompt\":\"x\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop");
    assertRejected("{\"prompt\":\"x\",\"stream\":\"yes\"}", "stream");
    assertRejected("{\"prompt\":\"x\",\"model\":7}", "model");
    assertRejected("[1,2]", null);
  }

  private static void assertChatRejected(String messagesAndMore, String param, String messagePart) {
    assertThatThrownBy(() -> GenerationRequest.chat(JSON.readTree("{" + messagesAndMore + "}"), "stories260K", 16,
        ChatTemplate.PLAIN)).isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.param()).isEqualTo(param);
          assertThat(e.getMessage()).contains(messagePart);
        });
  }

  @Test
  void shouldRejectChatMessagesTheOpenAiSpecRejects() {
    String user = "{\"role\":\"user\",\"content\":\"Hi\"}";
    assertChatRejected("\"messages\":[{\"role\":\"wizard\",\"content\":\"Hi\"}]", "messages[0].role", "unknown message role 'wizard'");
    assertChatRejected("\"messages\":[" + user + ",{\"content\":\"Hi\"}]", "messages[1].role", "needs a string 'role'");
    assertChatRejected("\"messages\":[{\"role\":\"user\",\"content\":null}]", "messages[0].content", "needs 'content'");
    assertChatRejected("\"messages\":[{\"role\":\"system\"}]", "messages[0].content", "needs 'content'");
    assertChatRejected("\"messages\":[{\"role\":\"user\",\"content\":7}]", "messages[0].content", "a string or an array");
    assertChatRejected("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]", "messages[0].content",
        "only text content parts");
    assertChatRejected("\"messages\":[{\"role\":\"user\",\"content\":\"Hi\",\"name\":3}]", "messages[0].name", "must be a string");
    assertChatRejected("\"messages\":[\"Hi\"]", "messages[0]", "must be an object");
    // tools are not supported: a tool message, a tool call, or the tools parameters say so
    assertChatRejected("\"messages\":[" + user + ",{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]",
        "messages[1].role", "does not support tools");
    assertChatRejected("\"messages\":[" + user + ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\"}]}]",
        "messages[1].tool_calls", "does not support tools");
    assertChatRejected("\"messages\":[" + user + "],\"tools\":[{\"type\":\"function\"}]", "tools", "does not support tools");
    assertChatRejected("\"messages\":[" + user + "],\"tool_choice\":\"auto\"", "tool_choice", "does not support tools");
    assertChatRejected("\"messages\":[" + user + "],\"response_format\":{\"type\":\"json_object\"}", "response_format", "text");
  }

  @Test
  void shouldAcceptWhatTheSpecAllowsWithoutTools() throws Exception {
    String ok = "{\"messages\":[{\"role\":\"developer\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\","
        + "\"name\":\"ann\"},{\"role\":\"assistant\",\"content\":\"\"}],\"tool_choice\":\"none\",\"tools\":[],"
        + "\"response_format\":{\"type\":\"text\"}}";
    assertThat(GenerationRequest.chat(JSON.readTree(ok), "stories260K", 16, ChatTemplate.PLAIN).prompt()).isEqualTo("Be brief.\nHi\n");
  }

  @Test
  void shouldRenderChatMessagesWithTheDocumentedTemplates() throws Exception {
    JsonNode body = JSON.readTree("{\"messages\":[{\"role\":\"system\",\"content\":\"You tell stories.\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Once upon\"},{\"type\":\"text\",\"text\":\" a time\"}]}],"
        + "\"max_completion_tokens\":5}");

    GenerationRequest plain = GenerationRequest.chat(body, "stories260K", 16, ChatTemplate.PLAIN);
    GenerationRequest transcript = GenerationRequest.chat(body, "stories260K", 16, ChatTemplate.TRANSCRIPT);

    assertThat(plain.prompt()).isEqualTo("You tell stories.\nOnce upon a time");
    assertThat(plain.maxTokens()).isEqualTo(5);
    assertThat(transcript.prompt()).isEqualTo("System: You tell stories.\nUser: Once upon a time\nAssistant:");
    assertThat(ChatTemplate.PLAIN.render(List.of())).isEmpty();
  }
}
