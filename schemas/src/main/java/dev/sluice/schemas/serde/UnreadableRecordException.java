package dev.sluice.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The one exception for bytes that cannot be read as the expected record: wrong or unknown format,
 * a schema fingerprint not in the store, truncated data, invalid JSON. Callers send the original
 * bytes to the DLQ with {@link #reason()} in the headers.
 */
public final class UnreadableRecordException extends SerializationException {
  private final String topic;
  private final String reason;

  public UnreadableRecordException(String topic, String reason, Throwable cause) {
    super("unreadable record on " + topic + ": " + reason, cause);
    this.topic = topic;
    this.reason = reason;
  }

  public String topic() {
    return topic;
  }

  /** Why the bytes could not be read, short enough for a header. */
  public String reason() {
    return reason;
  }
}
