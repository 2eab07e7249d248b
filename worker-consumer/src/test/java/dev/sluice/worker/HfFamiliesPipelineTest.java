package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedData;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.LayerRange;
import dev.sluice.model.ModelConfig;
import dev.sluice.model.verify.GoldenCheck;
import dev.sluice.model.verify.GoldenLogits;
import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.ResultEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Llama 3, Qwen2 and Qwen3 served by chains of stage workers over the real broker, for every split
 * into contiguous layer ranges: each golden file's BOS + 40 teacher-forced tokens go in as the prompt,
 * and the pipeline's greedy tokens must be the reference implementation's own greedy continuation
 * (its top-2 margins there are at least 0.09, so logits within 1e-4 cannot pick another token).
 * Hidden states cross Kafka as exact f32 bytes, so the logits equal the in-process split's
 * (HfFamiliesGoldenTest, within 1e-4 of the reference).
 */
@ExtendWith(SharedKafkaExtension.class)
class HfFamiliesPipelineTest {
  static final int PROMPT = 41;

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama3", "tiny-qwen2", "tiny-qwen3"})
  void shouldGenerateTheGoldenContinuationForEverySplitOverKafka(String family) throws Exception {
    Path dir = SharedData.hfFamily(family);
    GoldenLogits golden = GoldenLogits.read(dir.resolve("golden_" + family + ".bin"));
    int[] prompt = Arrays.copyOf(golden.tokens(), PROMPT);
    int[] expected = Arrays.copyOfRange(golden.tokens(), PROMPT, golden.tokens().length);
    int layers = ModelConfig.read(dir).numLayers();
    for (List<LayerRange> split : GoldenCheck.allSplits(layers)) {
      String name = family.replace("tiny-", "") + "-" + split.stream().map(LayerRange::toString).collect(Collectors.joining("_"));
      try (PipelineFixture f = new PipelineFixture(name, split.size(), dir)) {
        f.startChain(split.stream().map(LayerRange::toString).toArray(String[]::new));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
        f.submit(name, prompt, expected.length, 1);
        Map<String, List<ResultEvent>> results = f.awaitResults(List.of(name), Duration.ofSeconds(120));
        ResultEvent done = PipelineFixture.done(results.get(name));
        assertThat(done.getFinishReason()).as(name).isEqualTo(FinishReason.LENGTH);
        assertThat(PipelineFixture.tokens(results.get(name))).as("%s over Kafka, layers %s", family, split)
            .containsExactly(expected);
      }
    }
  }
}
