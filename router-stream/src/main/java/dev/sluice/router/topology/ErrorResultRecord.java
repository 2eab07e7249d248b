package dev.sluice.router.topology;

import dev.sluice.router.admission.ErrorResults;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.topic.Topic;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An ERROR result as raw bytes, for the error handlers: they answer a request the topology never got
 * to see (unreadable fields, a processing failure) by returning this record to Kafka Streams, which
 * writes it like a dead letter. It goes where the topology's own results go: the reply partition the
 * request names, else the producer's partition for the request id key.
 */
final class ErrorResultRecord {
  private ErrorResultRecord() {}

  static ProducerRecord<byte[], byte[]> of(Topic<String, ResultEvent> results, String requestId, Headers requestHeaders, String code,
      String message, long nowMs) {
    ResultEvent error = ErrorResults.error(requestId, null, code, message, nowMs, nowMs);
    Headers headers = new RecordHeaders();
    if (requestHeaders != null) SluiceHeaders.copyRequestHeaders(requestHeaders, headers);
    Integer reply = ReplyPartitioner.parse(SluiceHeaders.get(requestHeaders, SluiceHeaders.REPLY_PARTITION));
    SluiceHeaders.putRequest(headers, requestId, reply);
    byte[] value = results.valueSerde().serializer().serialize(results.name(), error);
    // stamped: the router also reads the results topic (its in-flight table), and a record needs a time there
    return new ProducerRecord<>(results.name(), reply, nowMs, requestId.getBytes(StandardCharsets.UTF_8), value, headers);
  }
}
