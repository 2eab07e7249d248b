package dev.sluice.ingress.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ingress.openai.ChatTemplate.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  private static final List<Message> STORY =
      List.of(new Message("system", "You tell stories."), new Message("user", "Once upon a time"));

  @Test
  void shouldJoinTheContentsByNewlinesInPlain() {
    assertThat(ChatTemplate.PLAIN.render(STORY)).isEqualTo("You tell stories.\nOnce upon a time");
    assertThat(ChatTemplate.PLAIN.render(List.of(new Message("system", ""), new Message("user", "hi"))))
        .as("an empty first message adds no blank line").isEqualTo("hi");
  }

  @Test
  void shouldWriteOneLinePerMessageAndLeaveTheAssistantToAnswerInTranscript() {
    assertThat(ChatTemplate.TRANSCRIPT.render(STORY))
        .isEqualTo("System: You tell stories.\nUser: Once upon a time\nAssistant:");
  }
}
