package dev.sluice.router.topology;

import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.serde.InferenceRequestSerde;
import dev.sluice.schemas.serde.UnreadableRecordException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the requests topic for the router: Avro or JSON as {@link InferenceRequestSerde} does, and a
 * tombstone (a record without a value) is unreadable too, so that it reaches the DLQ with a reason
 * through the same path as any other bytes that hold no request.
 */
final class RequestRecordDeserializer implements Deserializer<InferenceRequest> {
  static final String TOMBSTONE_REASON = "a tombstone (a record without a value) is not a request";
  private final InferenceRequestSerde serde = new InferenceRequestSerde();

  @Override
  public InferenceRequest deserialize(String topic, Headers headers, byte[] data) {
    if (data == null) throw new UnreadableRecordException(topic, TOMBSTONE_REASON, null);
    return serde.deserialize(topic, headers, data);
  }

  @Override
  public InferenceRequest deserialize(String topic, byte[] data) {
    return deserialize(topic, null, data);
  }
}
