package dev.sluice.worker.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Sampling;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.testing.SharedData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The last stage's stop logic with the real stories260K tokenizer. */
class ContinuationTest {

  private static TextTokenizer tokenizer() {
    return Tokenizers.load(SharedData.stories260K());
  }

  private static StageWork step(TextTokenizer tok, String prompt, List<Integer> generated, String textSoFar,
      int maxTokens, List<String> stop) {
    List<Integer> ids = new ArrayList<>();
    for (int t : tok.encode(prompt)) ids.add(t);
    int p = ids.size();
    ids.addAll(generated);
    return StageWork.newBuilder().setRequestId("r").setLane(0).setKind(WorkKind.DECODE).setStartPos(ids.size() - 1)
        .setEndPos(ids.size()).setTokenIds(ids).setPromptLength(p)
        .setSampling(Sampling.newBuilder().setMaxTokens(maxTokens).setStop(stop).build()).setTextSoFar(textSoFar).build();
  }

  @Test
  void shouldStopAtAStopSequenceAndLeaveItOut() {
    try (TextTokenizer tok = tokenizer()) {
      Continuation c = new Continuation(tok, 512);
      int[] dog = tok.encode("Once upon a time there was a dog");
      int[] prefix = tok.encode("Once upon a time");
      List<Integer> generated = new ArrayList<>();
      String text = "";
      Continuation.Outcome o = null;
      for (int i = prefix.length; i < dog.length; i++) {
        o = c.next(step(tok, "Once upon a time", generated, text, 50, List.of(" a dog")), dog[i], 0, Map.of(), 1L);
        if (o.finished()) break;
        generated.add(dog[i]);
        text = o.next().getTextSoFar();
        assertThat(text).doesNotContain(" a d"); // a possible stop prefix is held back
      }
      assertThat(o.finished()).isTrue();
      assertThat(o.results().get(o.results().size() - 1).getKind()).isEqualTo(ResultKind.DONE);
      assertThat(o.results().get(o.results().size() - 1).getFinishReason()).isEqualTo(FinishReason.STOP);
      assertThat(o.results().get(o.results().size() - 1).getText()).isEqualTo(" there was");
    }
  }

  @Test
  void shouldFinishOnEosWithoutATokenEvent() {
    try (TextTokenizer tok = tokenizer()) {
      Continuation c = new Continuation(tok, 512);
      Continuation.Outcome o = c.next(step(tok, "Hi", List.of(), "", 10, List.of()), tok.eosId(), 0, Map.of(), 1L);
      assertThat(o.finished()).isTrue();
      assertThat(o.results()).singleElement().satisfies(r -> {
        assertThat(r.getKind()).isEqualTo(ResultKind.DONE);
        assertThat(r.getIndex()).isZero();
        assertThat(r.getUsage().getCompletionTokens()).isEqualTo(1);
      });
    }
  }

  @Test
  void shouldFinishWithLengthAtMaxTokens() {
    try (TextTokenizer tok = tokenizer()) {
      Continuation c = new Continuation(tok, 512);
      Continuation.Outcome o = c.next(step(tok, "Hi", List.of(300), "", 2, List.of()), 301, 0, Map.of(), 1L);
      assertThat(o.results()).extracting(r -> r.getKind()).containsExactly(ResultKind.TOKEN, ResultKind.DONE);
      assertThat(o.results().get(0).getIndex()).isEqualTo(1);
      assertThat(o.results().get(1).getIndex()).isEqualTo(2);
      assertThat(o.results().get(1).getFinishReason()).isEqualTo(FinishReason.LENGTH);
    }
  }
}
