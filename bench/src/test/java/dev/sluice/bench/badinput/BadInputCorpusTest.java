package dev.sluice.bench.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.badinput.BadInput.Channel;
import dev.sluice.bench.badinput.BadInput.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The corpus read from its tables: every row an input, bodies exactly as written. */
class BadInputCorpusTest {
  private final List<BadInput> corpus = BadInputCorpus.all("stories", 1024);

  @Test
  void shouldHoldEveryRowOfTheTablesInOrder() {
    assertThat(corpus).hasSize(33);
    assertThat(corpus.stream().filter(b -> b.channel() == Channel.HTTP)).hasSize(21)
        .allMatch(b -> b.expected() == Outcome.HTTP_4XX);
    assertThat(corpus.stream().filter(b -> b.expected() == Outcome.ERROR_RESULT)).hasSize(8);
    assertThat(corpus.stream().filter(b -> b.expected() == Outcome.DLQ)).hasSize(4);
    assertThat(corpus.get(0).name()).isEqualTo("not JSON");
    assertThat(corpus.get(14).name()).isEqualTo("chat: empty messages");
    assertThat(corpus.get(32).name()).isEqualTo("a 5 MB prompt");
  }

  @Test
  void shouldKeepTheBodiesAsWritten() {
    assertThat(body("not JSON")).isEqualTo("{\"prompt\": ");
    assertThat(body("no prompt")).isEqualTo("{\"model\": \"stories\", \"max_tokens\": 4}");
    assertThat(body("chat: tool message without tools"))
        .isEqualTo("{\"messages\": [{\"role\": \"tool\", \"content\": \"42\", \"tool_call_id\": \"c1\"}]}");
    BadInput deadline = named("deadline in the past");
    assertThat(new String(deadline.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"requestId\": \"" + deadline.marker() + "\", \"prompt\": \"hi\", \"maxTokens\": 4, \"deadlineMs\": 1000}");
  }

  private String body(String name) {
    return new String(named(name).body(), StandardCharsets.UTF_8);
  }

  private BadInput named(String name) {
    return corpus.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }
}
