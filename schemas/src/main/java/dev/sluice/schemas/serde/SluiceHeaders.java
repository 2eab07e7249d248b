package dev.sluice.schemas.serde;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Header names that Sluice reads and writes, and small helpers for string-valued headers. */
public final class SluiceHeaders {
  private SluiceHeaders() {}

  /** {@code application/json} marks a JSON InferenceRequest; anything else (or none) means Avro. */
  public static final String CONTENT_TYPE = "content-type";
  public static final String JSON = "application/json";
  /** Request id, on every record of a request, for tracing. */
  public static final String REQUEST_ID = "sluice-request-id";
  /** Partition of the results topic where the submitter waits; copied through every stage. */
  public static final String REPLY_PARTITION = "sluice-reply-partition";
  /** W3C trace context, copied through every stage when present. */
  public static final String TRACEPARENT = "traceparent";
  /** DLQ: why the record could not be processed. */
  public static final String DLQ_REASON = "sluice-dlq-reason";
  public static final String DLQ_SOURCE_TOPIC = "sluice-dlq-source-topic";
  public static final String DLQ_SOURCE_PARTITION = "sluice-dlq-source-partition";
  public static final String DLQ_SOURCE_OFFSET = "sluice-dlq-source-offset";

  public static String get(Headers headers, String name) {
    if (headers == null) return null;
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  public static void put(Headers headers, String name, String value) {
    headers.remove(name);
    if (value != null) headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Sets the headers that name a record's request: its id, and its reply partition when it has one. */
  public static void putRequest(Headers headers, String requestId, Integer replyPartition) {
    put(headers, REQUEST_ID, requestId);
    if (replyPartition != null) put(headers, REPLY_PARTITION, replyPartition.toString());
  }

  /** Copies the request-scoped headers (request id, reply partition, trace context) from one record to another. */
  public static void copyRequestHeaders(Headers from, Headers to) {
    for (String name : new String[] {REQUEST_ID, REPLY_PARTITION, TRACEPARENT}) {
      String v = get(from, name);
      if (v != null) put(to, name, v);
    }
  }
}
