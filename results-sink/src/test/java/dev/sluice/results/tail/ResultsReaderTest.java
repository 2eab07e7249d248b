package dev.sluice.results.tail;

import static dev.sluice.results.testing.ScriptedLastStage.completion;
import static dev.sluice.results.testing.ScriptedLastStage.error;
import static dev.sluice.results.testing.ScriptedLastStage.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.results.Completion;
import dev.sluice.results.testing.ScriptedLastStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafkaExtension.class)
class ResultsReaderTest {

  @Test
  void shouldExportEveryFinishedRequestOnceFromTheBeginning() throws Exception {
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String namespace = SharedKafkaExtension.uniquePrefix("results-export");
    ScriptedLastStage.createTopics(bootstrap, namespace, 3);
    try (ScriptedLastStage stage = new ScriptedLastStage(bootstrap, namespace, r -> List.of())) {
      stage.publish(null, completion("r-1", List.of("Hi", " there"), 4, 2, System.currentTimeMillis() - 50));
      stage.publish(null, completion("r-1", List.of("Hi", " there"), 4, 2, 0)); // a replayed duplicate
      stage.publish(null, List.of(error("r-2", 0, "invalid_request", "prompt is empty")));
      stage.publish(null, List.of(token("r-3", 0, 7, "unfinished")));
    }

    List<Completion> exported = new ArrayList<>();
    int unfinished;
    try (ResultsReader reader = new ResultsReader(bootstrap, namespace, true, Map.of())) {
      unfinished = reader.readToEnd(exported::add);
    }

    assertThat(exported).extracting(Completion::requestId).containsExactlyInAnyOrder("r-1", "r-2");
    assertThat(unfinished).isEqualTo(1);
    Completion first = exported.stream().filter(c -> c.requestId().equals("r-1")).findFirst().orElseThrow();
    assertThat(CompletionLines.tailLine(first)).startsWith("r-1  LENGTH  ").contains("cached 2/4").contains("\"Hi there\"");
    JsonNode json = new ObjectMapper().readTree(CompletionLines.jsonLine(first));
    assertThat(json.get("text").asText()).isEqualTo("Hi there");
    assertThat(json.get("cached_prompt_tokens").asInt()).isEqualTo(2);
    Completion failed = exported.stream().filter(c -> c.requestId().equals("r-2")).findFirst().orElseThrow();
    assertThat(CompletionLines.tailLine(failed)).startsWith("r-2  ERROR").contains("invalid_request: prompt is empty");
  }
}
