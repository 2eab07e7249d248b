package dev.sluice.model.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.Golden;
import dev.sluice.model.LayerRange;
import dev.sluice.testing.SharedData;
import dev.sluice.model.StageModel;
import dev.sluice.model.sampling.StopReason;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorTest {

  @Test
  void shouldGenerateTheGoldenStoryGreedily() throws Exception {
    Path dir = SharedData.stories260K();
    Golden g = Golden.read(SharedData.stories260KGolden("golden_once_upon_a_time.bin"));
    try (StageModel model = StageModel.loadAll(dir); TextTokenizer tok = Tokenizers.load(dir)) {
      int[] prompt = tok.encode("Once upon a time");
      int[] expected = Arrays.copyOfRange(g.tokens(), prompt.length, g.tokens().length);
      StringBuilder streamed = new StringBuilder();
      Generator.Generation c = new Generator(List.of(model), tok).generate(
          new Generator.Request("r1", prompt, SamplingParams.GREEDY, new StopCondition(2, expected.length, List.of())),
          (i, token, delta) -> streamed.append(delta));
      assertThat(c.tokens()).containsExactly(expected);
      assertThat(c.stopReason()).isEqualTo(StopReason.LENGTH);
      assertThat(c.text()).startsWith(", there was a little girl named Lily.").isEqualTo(streamed.toString());
      assertThat(tok.decode(g.tokens())).isEqualTo("Once upon a time" + c.text());
    }
  }

  @Test
  void shouldGenerateTheSameInABatchAndAcrossStagesAsAlone() throws Exception {
    Path dir = SharedData.stories260K();
    try (StageModel whole = StageModel.loadAll(dir);
        StageModel a = StageModel.load(dir, LayerRange.parse("0-1"));
        StageModel b = StageModel.load(dir, LayerRange.parse("2-4"));
        TextTokenizer tok = Tokenizers.load(dir)) {
      List<Generator.Request> requests = List.of(
          new Generator.Request("a", tok.encode("Lily and Tom"), new SamplingParams(0.8f, 0.95f, 40, 11),
              new StopCondition(2, 30, List.of())),
          new Generator.Request("b", tok.encode("The dog was very big and"), SamplingParams.GREEDY,
              new StopCondition(2, 20, List.of())),
          new Generator.Request("c", tok.encode("One day"), new SamplingParams(1.0f, 1f, 0, 5),
              new StopCondition(2, 40, List.of("."))));
      Generator alone = new Generator(List.of(whole), tok);
      List<Generator.Generation> batched = new Generator(List.of(a, b), tok).generate(requests, null);
      for (int i = 0; i < requests.size(); i++) {
        Generator.Generation single = alone.generate(requests.get(i), null);
        assertThat(batched.get(i).tokens()).as(requests.get(i).id()).containsExactly(single.tokens());
        assertThat(batched.get(i).text()).isEqualTo(single.text());
      }
      assertThat(batched.get(2).stopReason()).isEqualTo(StopReason.STOP);
      assertThat(batched.get(2).text()).doesNotContain(".");
    }
  }
}
