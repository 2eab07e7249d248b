package dev.sluice.router.topology;

import dev.sluice.router.admission.ErrorResults;
import dev.sluice.schemas.serde.RequestIdentity;
import dev.sluice.schemas.serde.UnreadableRecordException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unreadable records on an input topic, and the stream goes on with the next one (Kafka Streams'
 * dead-letter responses). A record on the requests topic that names its request (the request id
 * header, or a requestId in its JSON) is answered with an ERROR result saying why it cannot be
 * served, so its client does not wait forever; everything else — bytes with no request in them,
 * tombstones, arrays — goes unchanged to the DLQ with the reason and its origin in headers.
 */
public final class DeadLetterHandler extends RouterErrorHandler implements DeserializationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String reason = exception instanceof UnreadableRecordException u ? u.reason() : String.valueOf(exception);
    Optional<String> requestId = config.isRequestsTopic(record.topic())
        ? RequestIdentity.of(record.headers(), record.value()) : Optional.empty();
    if (requestId.isPresent()) {
      log.warn("request {} ({}-{}@{}) cannot be read; answering with an ERROR: {}", requestId.get(), record.topic(),
          record.partition(), record.offset(), reason);
      config.count("rejected");
      return Response.resume(errorResult(requestId.get(), record.headers(), ErrorResults.INVALID_REQUEST,
          "the request cannot be read: " + reason));
    }
    log.warn("unreadable record {}-{}@{} sent to the DLQ: {}", record.topic(), record.partition(), record.offset(), reason);
    config.count("unreadable");
    return Response.resume(deadLetter(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
        record.headers(), reason));
  }
}
