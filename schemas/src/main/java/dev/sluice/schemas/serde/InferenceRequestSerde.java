package dev.sluice.schemas.serde;

import dev.sluice.schemas.InferenceRequest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * InferenceRequest on the requests topic: Avro single-object encoding, or JSON when the record has
 * the header {@code content-type: application/json} or its bytes start like JSON, '{' or '[' (so that a
 * plain kafka-console-producer line works too; an Avro single-object record starts with 0xC3 0x01).
 */
public final class InferenceRequestSerde extends AvroSerde<InferenceRequest> {
  public InferenceRequestSerde() {
    super(InferenceRequest.class, InferenceRequest.getClassSchema());
  }

  @Override
  public InferenceRequest deserialize(String topic, Headers headers, byte[] data) {
    if (data == null) return null;
    if (SluiceHeaders.JSON.equalsIgnoreCase(SluiceHeaders.get(headers, SluiceHeaders.CONTENT_TYPE)) || looksLikeJson(data)) {
      return fromJson(topic, data);
    }
    return decodeAvro(topic, data);
  }

  @Override
  public InferenceRequest deserialize(String topic, byte[] data) {
    return deserialize(topic, null, data);
  }

  /** The JSON form of a request, for producers that cannot write Avro. */
  public static byte[] toJson(InferenceRequest request) {
    return RequestJson.write(request).getBytes(StandardCharsets.UTF_8);
  }

  private static InferenceRequest fromJson(String topic, byte[] data) {
    try {
      return RequestJson.parse(data);
    } catch (IllegalArgumentException e) {
      throw new UnreadableRecordException(topic, e.getMessage(), e);
    }
  }

  private static boolean looksLikeJson(byte[] data) {
    for (byte b : data) {
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
      return b == '{' || b == '['; // an array is read as JSON so that it gets a clear reason
    }
    return false;
  }
}
