package dev.sluice.router.topology;

import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.UnreadableRecordException;
import dev.sluice.router.admission.ErrorResults;
import dev.sluice.schemas.serde.RequestIdentity;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
public final class DeadLetterHandler implements DeserializationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);
  private HandlerConfig config;

  @Override
  public void configure(Map<String, ?> configs) {
    config = HandlerConfig.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String reason = exception instanceof UnreadableRecordException u ? u.reason() : String.valueOf(exception);
    Optional<String> requestId = record.topic().equals(config.requestsTopic()) && config.resultsTopic() != null
        ? RequestIdentity.of(record.headers(), record.value()) : Optional.empty();
    if (requestId.isPresent()) {
      log.warn("request {} ({}-{}@{}) cannot be read; answering with an ERROR: {}", requestId.get(), record.topic(),
          record.partition(), record.offset(), reason);
      config.count("rejected");
      return Response.resume(List.of(ErrorResultRecord.of(config.resultsTopic(), requestId.get(), record.headers(),
          ErrorResults.INVALID_REQUEST, "the request cannot be read: " + reason, System.currentTimeMillis())));
    }
    log.warn("unreadable record {}-{}@{} sent to the DLQ: {}", record.topic(), record.partition(), record.offset(), reason);
    config.count("unreadable");
    if (config.dlqTopic() == null) return Response.resume();
    return Response.resume(List.of(deadLetter(config.dlqTopic(), record.topic(), record.partition(), record.offset(),
        record.key(), record.value(), record.headers(), reason)));
  }

  /** The DLQ record: original key, value and headers, plus the reason and where it came from. */
  static ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, String topic, int partition, long offset,
      byte[] key, byte[] value, Headers original, String reason) {
    Headers headers = new RecordHeaders();
    if (original != null) original.forEach(h -> headers.add(h.key(), h.value()));
    String shortReason = reason.length() > 1000 ? reason.substring(0, 1000) : reason;
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_REASON, shortReason);
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_TOPIC, topic);
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_PARTITION, Integer.toString(partition));
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_OFFSET, Long.toString(offset));
    return new ProducerRecord<>(dlqTopic, null, System.currentTimeMillis(), key, value, headers);
  }
}
