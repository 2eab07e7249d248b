package dev.sluice.ingress.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingress.openai.ApiError;
import dev.sluice.ingress.openai.ChatTemplate;
import dev.sluice.ingress.openai.ChatTemplate.Message;
import dev.sluice.ingress.openai.GenerationRequest;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Models' own chat templates give exactly the text transformers' apply_chat_template (Jinja2) gives. */
class JinjaChatTemplateTest {
  static final List<Message> CONVERSATION = List.of(
      new Message("system", "You tell short stories."),
      new Message("user", "  Tell me about a cat.\n"),
      new Message("assistant", "Once upon a time, a cat sat."),
      new Message("user", "And then?"));
  /** {@link #CONVERSATION} as the ChatML templates (chatml, qwen3) render it, like transformers. */
  static final String CHATML_CONVERSATION = "<|im_start|>system\nYou tell short stories.<|im_end|>\n"
      + "<|im_start|>user\n  Tell me about a cat.\n<|im_end|>\n<|im_start|>assistant\nOnce upon a time, a cat sat.<|im_end|>\n"
      + "<|im_start|>user\nAnd then?<|im_end|>\n<|im_start|>assistant\n";

  static Path model(String name) throws URISyntaxException {
    return Path.of(JinjaChatTemplateTest.class.getResource("/chat-templates/" + name).toURI());
  }

  @Test
  void shouldRenderALlama3TemplateFromTokenizerConfigExactly() throws Exception {
    ChatTemplate t = ModelChatTemplates.find(model("llama3")).orElseThrow();
    // expected: Python jinja2 with trim_blocks and lstrip_blocks, as transformers renders it
    assertThat(t.render(CONVERSATION)).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        + "You tell short stories.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nTell me about a cat.<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\nOnce upon a time, a cat sat.<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nAnd then?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    assertThat(t.name()).isEqualTo("llama3/tokenizer_config.json");
  }

  @Test
  void shouldRenderAChatMlTemplateFromChatTemplateJinjaExactly() throws Exception {
    ChatTemplate t = ModelChatTemplates.find(model("chatml")).orElseThrow();
    assertThat(t.render(CONVERSATION)).isEqualTo(CHATML_CONVERSATION);
    // without a system message the template adds its own
    assertThat(t.render(List.of(new Message("user", "  Tell me about a cat.\n")))).isEqualTo("<|im_start|>system\n"
        + "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\n  Tell me about a cat.\n<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void shouldRenderQwen3sTemplateWithItsPythonStringMethodsExactly() throws Exception {
    ChatTemplate t = ModelChatTemplates.find(model("qwen3")).orElseThrow();
    assertThat(t.render(CONVERSATION)).isEqualTo(CHATML_CONVERSATION);
    // an earlier answer's reasoning is cut out of the history (split('</think>')[-1].lstrip('\n')), and a user
    // turn that is only a tool response does not count as the last query (startswith/endswith)
    List<Message> thought = List.of(new Message("user", "Hi"),
        new Message("assistant", "<think>\nThey greet me.\n</think>\n\nHello!"),
        new Message("user", "Story?"));
    assertThat(t.render(thought)).isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
        + "<|im_start|>user\nStory?<|im_end|>\n<|im_start|>assistant\n");
    List<Message> afterTool = List.of(new Message("user", "Hi"),
        new Message("assistant", "<think>\nA tool.\n</think>\n\nCalling."),
        new Message("user", "<tool_response>42</tool_response>"));
    assertThat(t.render(afterTool)).isEqualTo("<|im_start|>user\nHi<|im_end|>\n"
        + "<|im_start|>assistant\n<think>\nA tool.\n</think>\n\nCalling.<|im_end|>\n"
        + "<|im_start|>user\n<tool_response>42</tool_response><|im_end|>\n<|im_start|>assistant\n");
    assertThat(ChatTemplates.choose("auto", model("qwen3"), s -> {}).name()).isEqualTo("qwen3/chat_template.jinja");
  }

  @Test
  void shouldCallPythonStrMethodsWithPythonsSemantics() {
    Object[] none = {};
    assertThat(PythonStringMethods.call("  a b \n", "strip", none)).isEqualTo("a b");
    assertThat(PythonStringMethods.call("xxaxx", "rstrip", new Object[] {"x"})).isEqualTo("xxa");
    assertThat(PythonStringMethods.call(" a  b ", "split", none)).isEqualTo(List.of("a", "b"));
    assertThat(PythonStringMethods.call("a,b,,c", "split", new Object[] {",", 2L})).isEqualTo(List.of("a", "b", ",c"));
    assertThat(PythonStringMethods.call("abc", "startswith", new Object[] {List.of("x", "ab")})).isEqualTo(true);
    assertThat(PythonStringMethods.call("hello world", "title", none)).isEqualTo("Hello World");
    assertThat(PythonStringMethods.call("aaa", "replace", new Object[] {"a", "b", 2L})).isEqualTo("bba");
  }

  @Test
  void shouldRewriteOnlyTheJinja2SpellingsJinjavaCannotParse() {
    assertThat(Jinja2Syntax.rewrite("{% for m in messages[::-1] %}")).isEqualTo("{% for m in (messages|reverse) %}");
    assertThat(Jinja2Syntax.rewrite("{% set ns = namespace(a=true, i=messages|length - 1) %}"))
        .isEqualTo("{% set ns = namespace(a=(true), i=(messages|length - 1)) %}");
    String untouched = "{{ x[1:2] }}{% if a == 'namespace(' %}{{ f(a=b) }}{% endif %}";
    assertThat(Jinja2Syntax.rewrite(untouched)).isEqualTo(untouched);
  }

  @Test
  void shouldUseTheDefaultOfNamedTemplatesAndTurnATemplateRefusalIntoA400() throws Exception {
    ChatTemplate t = ModelChatTemplates.find(model("mistral")).orElseThrow();
    assertThat(t.render(List.of(new Message("user", "Hi"), new Message("assistant", "Hello"), new Message("user", "Story?"))))
        .isEqualTo("<s>[INST] Hi [/INST]Hello</s>[INST] Story? [/INST]");
    assertThatThrownBy(() -> t.render(List.of(new Message("user", "a"), new Message("user", "b"))))
        .isInstanceOf(ChatTemplate.TemplateRefusal.class)
        .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...");
    var body = new ObjectMapper().readTree("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, "
        + "{\"role\": \"user\", \"content\": \"b\"}]}");
    assertThatThrownBy(() -> GenerationRequest.chat(body, "m", 16, t))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("must alternate");
        });
  }

  @Test
  void shouldRejectUnknownRolesAndEmptyMessageLists() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ChatTemplate t = ModelChatTemplates.find(model("chatml")).orElseThrow();
    assertThatThrownBy(() -> GenerationRequest.chat(json.readTree("{\"messages\": []}"), "m", 16, t))
        .isInstanceOf(ApiError.class).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> GenerationRequest.chat(
        json.readTree("{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}"), "m", 16, t))
        .isInstanceOf(ApiError.class).hasMessageContaining("unknown message role 'wizard'");
  }

  @Test
  void shouldFindNoTemplateInABaseModel() throws Exception {
    assertThat(ModelChatTemplates.find(model("llama3").getParent().resolve("none"))).isEmpty();
  }

  @Test
  void shouldChooseTheModelsOwnTemplateOnlyWhenItHasOneThatRenders(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    List<String> log = new java.util.ArrayList<>();
    assertThat(ChatTemplates.choose("auto", model("llama3"), log::add).name()).isEqualTo("llama3/tokenizer_config.json");
    assertThat(ChatTemplates.choose("auto", tmp, log::add)).isSameAs(ChatTemplate.PLAIN);
    assertThat(ChatTemplates.choose("transcript", model("llama3"), log::add)).isSameAs(ChatTemplate.TRANSCRIPT);
    assertThatThrownBy(() -> ChatTemplates.choose("model", tmp, log::add)).hasMessageContaining("has no chat template");
    // a template that cannot be rendered here is found out at start
    java.nio.file.Files.writeString(tmp.resolve("chat_template.jinja"),
        "{% for m in messages %}{{ m.content.no_such_method('x') }}{% endfor %}");
    assertThat(ChatTemplates.choose("auto", tmp, log::add)).isSameAs(ChatTemplate.PLAIN);
    assertThat(log).anyMatch(l -> l.contains("cannot be rendered here"));
  }

  @Test
  void shouldGiveRequestsThatLeaveSamplingOutTheModelsDefaults() throws Exception {
    ObjectMapper json = new ObjectMapper();
    var defaults = new dev.sluice.ingress.openai.SamplingDefaults(0.6f, 0.9f, 20);
    var body = json.readTree("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
    GenerationRequest r = GenerationRequest.chat(body, "m", 16, ChatTemplate.PLAIN, defaults);
    assertThat(r.temperature()).isEqualTo(0.6f);
    assertThat(r.topP()).isEqualTo(0.9f);
    assertThat(r.topK()).isEqualTo(20);
    var explicit = json.readTree("{\"prompt\": \"hi\", \"temperature\": 0, \"top_p\": 1, \"top_k\": 0}");
    GenerationRequest c = GenerationRequest.completion(explicit, "m", 16, defaults);
    assertThat(c.temperature()).isZero();
    assertThat(c.topP()).isEqualTo(1f);
    assertThat(c.topK()).isZero();
  }
}
