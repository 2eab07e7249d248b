package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.serde.InferenceRequestSerde;
import dev.sluice.schemas.serde.UnreadableRecordException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestJsonTest {
  private final InferenceRequestSerde serde = new InferenceRequestSerde();

  @Test
  void shouldAcceptSnakeCaseAndCamelCaseFields() {
    InferenceRequest r = serde.deserialize("t",
        "{\"request_id\":\"r1\",\"prompt\":\"Hi\",\"max_tokens\":5,\"topP\":0.5,\"stop\":\"\\n\",\"seed\":7}"
            .getBytes(StandardCharsets.UTF_8));
    assertThat(r.getRequestId()).isEqualTo("r1");
    assertThat(r.getPrompt()).isEqualTo("Hi");
    assertThat(r.getMaxTokens()).isEqualTo(5);
    assertThat(r.getTopP()).isEqualTo(0.5f);
    assertThat(r.getStop()).containsExactly("\n");
    assertThat(r.getSeed()).isEqualTo(7L);
    assertThat(r.getTemperature()).isEqualTo(0f); // default
  }

  @Test
  void shouldRoundTripThroughJson() {
    InferenceRequest r = InferenceRequest.newBuilder().setRequestId("x").setPromptTokens(List.of(1, 2, 3))
        .setMaxTokens(9).setTopK(4).setCacheSalt("s").setDeadlineMs(123L).build();
    assertThat(serde.deserialize("t", InferenceRequestSerde.toJson(r))).isEqualTo(r);
  }

  @Test
  void shouldRejectUnknownFieldsAndWrongTypesWithTheFieldName() {
    assertThatThrownBy(() -> serde.deserialize("t", "{\"promt\":\"Hi\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("promt");
    assertThatThrownBy(() -> serde.deserialize("t", "{\"maxTokens\":\"many\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("maxTokens");
    assertThatThrownBy(() -> serde.deserialize("t", "{\"prompt\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableRecordException.class).hasMessageContaining("invalid JSON");
  }

  @Test
  void shouldSayThatAnArrayIsNotARequest() {
    assertThatThrownBy(() -> serde.deserialize("t", "[{\"requestId\": \"a\"}]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableRecordException.class)
        .satisfies(e -> assertThat(((UnreadableRecordException) e).reason()).contains("a JSON array is not a request"));
  }
}
