package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.StageModel;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.sampling.SamplingParams;
import dev.sluice.model.sampling.StopCondition;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Chains of stage workers over the real broker generate exactly the golden greedy tokens. */
@ExtendWith(SharedKafkaExtension.class)
class GoldenPipelineTest {
  private static final Map<String, String> PROMPTS = Map.of(
      "golden_once_upon_a_time.bin", "Once upon a time",
      "golden_lily_tom.bin", "Lily and Tom went to the park. They saw a big dog");

  @Test
  void shouldGenerateGoldenTokensWithTwoStages() throws Exception {
    runGolden("two", "0-2", "3-4");
  }

  @Test
  void shouldGenerateGoldenTokensWithFiveStages() throws Exception {
    runGolden("five", "0", "1", "2", "3", "4");
  }

  private void runGolden(String name, String... ranges) throws Exception {
    try (PipelineFixture f = new PipelineFixture(name, ranges.length);
        TextTokenizer tokenizer = Tokenizers.load(f.model)) {
      f.startChain(ranges);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
      int lane = 0;
      Map<String, int[]> expected = new java.util.HashMap<>();
      Map<String, int[]> prompts = new java.util.HashMap<>();
      for (Map.Entry<String, String> e : PROMPTS.entrySet()) {
        int[] golden = PipelineFixture.goldenTokens(e.getKey());
        int[] prompt = tokenizer.encode(e.getValue());
        assertThat(Arrays.copyOf(golden, prompt.length)).as("golden prompt tokens").containsExactly(prompt);
        String id = name + "-" + e.getKey();
        expected.put(id, Arrays.copyOfRange(golden, prompt.length, golden.length));
        prompts.put(id, prompt);
        f.submit(id, prompt, golden.length - prompt.length, lane++ % PipelineFixture.LANES);
      }
      Map<String, List<ResultEvent>> results = f.awaitResults(List.copyOf(expected.keySet()), Duration.ofSeconds(120));
      for (String id : expected.keySet()) {
        List<ResultEvent> events = results.get(id);
        ResultEvent done = PipelineFixture.done(events);
        assertThat(done.getFinishReason()).as(id).isEqualTo(FinishReason.LENGTH);
        assertThat(PipelineFixture.tokens(events)).as(id).containsExactly(expected.get(id));
        assertThat(done.getIndex()).isEqualTo(expected.get(id).length);
        assertThat(done.getUsage().getPromptTokens()).isEqualTo(prompts.get(id).length);
        assertThat(done.getUsage().getCompletionTokens()).isEqualTo(expected.get(id).length);
        // the in-process Generator agrees, text included
        Generator.Generation reference = generate(f, tokenizer, id, prompts.get(id), expected.get(id).length);
        assertThat(reference.tokens()).containsExactly(expected.get(id));
        assertThat(done.getText()).isEqualTo(reference.text());
      }
    }
  }

  static Generator.Generation generate(PipelineFixture f, TextTokenizer tokenizer, String id, int[] prompt, int maxTokens) {
    try (StageModel all = StageModel.load(f.model, LayerRange.parse("0-4"))) {
      Generator g = new Generator(List.of(all), tokenizer);
      return g.generate(new Generator.Request(id, prompt, SamplingParams.GREEDY,
          new StopCondition(tokenizer.eosId(), maxTokens, List.of())), null);
    }
  }
}
