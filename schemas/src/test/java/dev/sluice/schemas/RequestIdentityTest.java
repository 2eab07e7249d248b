package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.serde.RequestIdentity;
import dev.sluice.schemas.serde.SluiceHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RequestIdentityTest {
  private static Optional<String> of(String json) {
    return RequestIdentity.of(new RecordHeaders(), json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldFindTheRequestIdOfBrokenJsonBeforeTheBreak() {
    assertThat(of("{\"model\": {\"a\": [1, 2]}, \"requestId\": \"r1\", \"maxTokens\": \"x\"}")).contains("r1");
    assertThat(of("{\"request_id\": \"r2\", \"prompt\": \"unterminated")).contains("r2");
    assertThat(of("{\"requestId\": 42}")).contains("42");
  }

  @Test
  void shouldNameNoRequestWhenNothingIdentifiesOne() {
    assertThat(of("{\"prompt\": \"x\"")).isEmpty();
    assertThat(of("{\"requestId\": \"  \"}")).isEmpty();
    assertThat(of("{\"requestId\": [\"a\"]}")).isEmpty();
    assertThat(of("[{\"requestId\": \"in-an-array\"}]")).as("an array is not a request").isEmpty();
    assertThat(of("{\"prompt\": \"x\", }, \"requestId\": \"after-the-break\"}")).isEmpty();
    assertThat(RequestIdentity.of(new RecordHeaders(), null)).isEmpty();
  }

  @Test
  void shouldPreferTheRequestIdHeader() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SluiceHeaders.REQUEST_ID, "from-header".getBytes(StandardCharsets.UTF_8));
    assertThat(RequestIdentity.of(headers, new byte[] {(byte) 0xC3, 0x01, 1})).contains("from-header");
  }
}
