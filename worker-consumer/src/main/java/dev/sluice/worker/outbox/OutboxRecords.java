package dev.sluice.worker.outbox;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.sample.Continuation;
import dev.sluice.worker.step.Outgoing;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Turns a step's {@link Outgoing} records into producer records (request headers carried on, size
 * checked against max.request.size before sending), and builds the ERROR result that replaces an
 * output that cannot be sent and the DLQ record of unreadable bytes.
 */
public final class OutboxRecords {
  /** Room for the record's key, headers and batch overhead under max.request.size. */
  private static final int OVERHEAD_BYTES = 4096;

  private final Serializer<StageWork> stageWork;
  private final Serializer<ResultEvent> results;
  private final String resultsTopic;
  private final String dlqTopic;
  private final int stage;
  private final int maxMessageBytes;

  public OutboxRecords(SluiceTopics topics, int stage, int maxMessageBytes) {
    this.resultsTopic = topics.results().name();
    this.dlqTopic = topics.dlq().name();
    this.stageWork = topics.stage(stage).valueSerde().serializer();
    this.results = topics.results().valueSerde().serializer();
    this.stage = stage;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** The producer record of an output; an oversized step record becomes its request's ERROR. */
  ProducerRecord<String, byte[]> toRecord(Outgoing o, List<PolledRecord> inputs) {
    byte[] value = serialize(o);
    if (value.length + OVERHEAD_BYTES > maxMessageBytes && o.value() instanceof StageWork w) {
      return toRecord(replacement(o, "too_large", "stage " + stage + " produced a record of " + value.length
          + " bytes, over max_message_bytes " + maxMessageBytes), inputs);
    }
    Headers headers = new RecordHeaders();
    if (o.source() >= 0 && o.source() < inputs.size()) {
      SluiceHeaders.copyRequestHeaders(inputs.get(o.source()).record().headers(), headers);
    }
    SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, o.key());
    return new ProducerRecord<>(o.topic(), o.partition(), o.key(), value, headers);
  }

  /**
   * The ERROR result that ends the output's request instead of the output, or null when the output
   * is itself an ERROR (nothing can replace it).
   */
  Outgoing replacement(Outgoing o, String code, String message) {
    long now = System.currentTimeMillis();
    if (o.value() instanceof StageWork w) {
      return new Outgoing(resultsTopic, w.getReplyPartition(), w.getRequestId(), Continuation.error(w, code, message, now),
          o.source());
    }
    ResultEvent r = (ResultEvent) o.value();
    if (r.getKind() == ResultKind.ERROR) {
      return null;
    }
    ResultEvent error = ResultEvent.newBuilder()
        .setRequestId(r.getRequestId())
        .setIndex(r.getIndex())
        .setKind(ResultKind.ERROR)
        .setFinishReason(dev.sluice.schemas.FinishReason.ERROR)
        .setErrorCode(code)
        .setErrorMessage(message)
        .setModel(r.getModel())
        .setAtMs(now)
        .build();
    return new Outgoing(o.topic(), o.partition(), o.key(), error, o.source());
  }

  /** The DLQ copy of an unreadable record: original key and bytes, with the reason in headers. */
  ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
    Headers headers = new RecordHeaders(r.headers().toArray());
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_REASON, reason);
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_TOPIC, r.topic());
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_PARTITION, String.valueOf(r.partition()));
    SluiceHeaders.put(headers, SluiceHeaders.DLQ_SOURCE_OFFSET, String.valueOf(r.offset()));
    return new ProducerRecord<>(dlqTopic, null, r.key(), r.value(), headers);
  }

  private byte[] serialize(Outgoing o) {
    return o.value() instanceof StageWork w ? stageWork.serialize(o.topic(), w)
        : results.serialize(o.topic(), (ResultEvent) o.value());
  }
}
