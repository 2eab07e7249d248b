package dev.sluice.results;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.topic.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the result event of a raw record from the results topic; an unreadable record (or a
 * tombstone) is skipped — logged, null — so that it never stops a reader.
 */
public final class ResultDecoder {
  private static final Logger log = LoggerFactory.getLogger(ResultDecoder.class);
  private final Deserializer<ResultEvent> deserializer;

  /** Reads records of this results topic with its value serde. */
  public ResultDecoder(Topic<?, ResultEvent> results) {
    this.deserializer = results.valueSerde().deserializer();
  }

  /** The event, or null when the record holds none that can be read. */
  public ResultEvent decode(ConsumerRecord<?, byte[]> record) {
    try {
      return deserializer.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      log.warn("skipping unreadable result at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      return null;
    }
  }
}
