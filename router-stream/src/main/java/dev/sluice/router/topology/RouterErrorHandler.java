package dev.sluice.router.topology;

import dev.sluice.schemas.serde.SluiceHeaders;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What the router's error handlers share: their {@link HandlerConfig}, read when Kafka Streams
 * configures them, and the two records they answer a failed source record with.
 */
abstract class RouterErrorHandler {
  HandlerConfig config;

  public void configure(Map<String, ?> configs) {
    config = HandlerConfig.from(configs);
  }

  /** An ERROR result that answers the request (see {@link ErrorResultRecord}); none when no topics are configured. */
  List<ProducerRecord<byte[], byte[]>> errorResult(String requestId, Headers requestHeaders, String code, String message) {
    if (config.topics() == null) return List.of();
    return List.of(ErrorResultRecord.of(config.topics().results(), requestId, requestHeaders, code, message,
        System.currentTimeMillis()));
  }

  /**
   * The DLQ record: original key, value and headers, plus the reason and where it came from; none when
   * no topics are configured.
   */
  List<ProducerRecord<byte[], byte[]>> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
      Headers original, String reason) {
    if (config.topics() == null) return List.of();
    Headers headers = new RecordHeaders();
    if (original != null) original.forEach(h -> headers.add(h.key(), h.value()));
    String shortReason = reason.length() > 1000 ? reason.substring(0, 1000) : reason;
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_REASON, shortReason);
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_TOPIC, topic);
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_PARTITION, Integer.toString(partition));
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_OFFSET, Long.toString(offset));
    return List.of(new ProducerRecord<>(config.topics().dlq().name(), null, System.currentTimeMillis(), key, value, headers));
  }
}
