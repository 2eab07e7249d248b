package dev.sluice.results;

import static dev.sluice.results.testing.ScriptedLastStage.done;
import static dev.sluice.results.testing.ScriptedLastStage.error;
import static dev.sluice.results.testing.ScriptedLastStage.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionAssemblerTest {
  private final CompletionAssembler assembler = new CompletionAssembler();
  private final List<TokenDelta> deltas = new ArrayList<>();
  private final List<Completion> completions = new ArrayList<>();

  private void feed(ResultEvent... events) {
    for (ResultEvent e : events) {
      CompletionAssembler.Released r = assembler.accept(e);
      deltas.addAll(r.deltas());
      if (r.completion() != null) completions.add(r.completion());
    }
  }

  @Test
  void shouldAssembleTokensAndDoneIntoOneCompletion() {
    feed(token("a", 0, 5, "Once"), token("a", 1, 6, " upon"), done("a", 2, "Once upon", FinishReason.LENGTH, 7, 3, 1000));

    assertThat(deltas).extracting(TokenDelta::text).containsExactly("Once", " upon");
    assertThat(completions).singleElement().satisfies(c -> {
      assertThat(c.text()).isEqualTo("Once upon");
      assertThat(c.tokenIds()).containsExactly(5, 6);
      assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(c.promptTokens()).isEqualTo(7);
      assertThat(c.cachedPromptTokens()).isEqualTo(3);
      assertThat(c.tokenEvents()).isEqualTo(2);
    });
    assertThat(assembler.openRequests()).isZero();
  }

  @Test
  void shouldReleaseEventsInIndexOrderWhenTheyArriveOutOfOrder() {
    feed(done("a", 3, "abc", FinishReason.STOP, 1, 0, 0), token("a", 2, 3, "c"), token("a", 0, 1, "a"));
    assertThat(deltas).extracting(TokenDelta::index).containsExactly(0);
    assertThat(completions).isEmpty();

    feed(token("a", 1, 2, "b"));

    assertThat(deltas).extracting(TokenDelta::text).containsExactly("a", "b", "c");
    assertThat(completions).singleElement().extracting(Completion::text).isEqualTo("abc");
  }

  @Test
  void shouldEndARequestAtTheRoutersInFlightErrorAndDropALateDone() {
    // Two tokens, then the router ends the request (a stage lost every worker) at index maxTokens + 1 = 9;
    // token 2 of a worker that came back, and its DONE, arrive after that.
    ResultEvent routerError = error("a", 9, "no_workers", "stage 1 lost every live worker");
    feed(token("a", 0, 5, "Once"), token("a", 1, 6, " upon"), routerError, token("a", 2, 7, " a"),
        done("a", 3, "Once upon a", FinishReason.STOP, 7, 0, 0));

    assertThat(deltas).extracting(TokenDelta::text).containsExactly("Once", " upon");
    assertThat(completions).singleElement().satisfies(c -> {
      assertThat(c.isError()).isTrue();
      assertThat(c.errorCode()).isEqualTo("no_workers");
    });
    assertThat(assembler.duplicates()).isEqualTo(2);
    assertThat(assembler.openRequests()).isZero();
  }

  @Test
  void shouldKeepTheDoneWhenItCameBeforeTheRoutersError() {
    feed(token("a", 0, 5, "x"), done("a", 1, "x", FinishReason.STOP, 3, 0, 0), error("a", 9, "no_workers", "stage 1 lost every live worker"));
    assertThat(completions).singleElement().satisfies(c -> assertThat(c.isError()).isFalse());
    assertThat(assembler.duplicates()).isEqualTo(1);
  }

  @Test
  void shouldDropDuplicatesByRequestIdAndIndex() {
    feed(token("a", 0, 1, "x"), token("a", 0, 1, "x"), token("b", 0, 9, "y"), token("a", 1, 2, "z"),
        token("a", 0, 1, "x"), done("a", 2, "xz", FinishReason.STOP, 1, 0, 0), done("a", 2, "xz", FinishReason.STOP, 1, 0, 0));

    assertThat(deltas).extracting(d -> d.requestId() + d.index()).containsExactly("a0", "b0", "a1");
    assertThat(completions).hasSize(1);
    assertThat(assembler.duplicates()).isEqualTo(3);
  }

  @Test
  void shouldIgnoreLateEventsOfAFinishedRequest() {
    feed(token("a", 0, 1, "x"), done("a", 1, "x", FinishReason.STOP, 1, 0, 0));
    feed(token("a", 1, 2, "late"), error("a", 2, "internal", "retry after finish"));

    assertThat(completions).hasSize(1);
    assertThat(assembler.openRequests()).isZero();
  }

  @Test
  void shouldCompleteWithErrorCodeAndMessage() {
    feed(error("bad", 0, "invalid_request", "maxTokens must be positive"));

    assertThat(completions).singleElement().satisfies(c -> {
      assertThat(c.isError()).isTrue();
      assertThat(c.errorCode()).isEqualTo("invalid_request");
      assertThat(c.errorMessage()).contains("maxTokens");
      assertThat(c.text()).isEmpty();
    });
  }
}
