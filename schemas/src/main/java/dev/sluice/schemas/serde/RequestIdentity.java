package dev.sluice.schemas.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * The request id of a record on the requests topic that cannot be read as a request, so that its
 * client still gets an ERROR result: the {@code sluice-request-id} header, else the top-level
 * {@code requestId} (or {@code request_id}) of a JSON object, found by a streaming scan that stops at
 * the field and so also works on truncated or otherwise broken JSON and on huge records.
 */
public final class RequestIdentity {
  private static final JsonFactory JSON = new JsonFactory();

  private RequestIdentity() {}

  /** The request the bytes name, or empty when nothing identifies one (those bytes go to the DLQ). */
  public static Optional<String> of(Headers headers, byte[] value) {
    String header = SluiceHeaders.get(headers, SluiceHeaders.REQUEST_ID);
    if (header != null && !header.isBlank()) return Optional.of(header);
    return value == null ? Optional.empty() : fromJsonObject(value);
  }

  static Optional<String> fromJsonObject(byte[] value) {
    try (JsonParser parser = JSON.createParser(value)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return Optional.empty();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (name.equals("requestId") || name.equals("request_id")) {
          boolean usable = token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT;
          return usable && !parser.getText().isBlank() ? Optional.of(parser.getText()) : Optional.empty();
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      // broken JSON after the fields read so far: nothing names the request
    }
    return Optional.empty();
  }
}
