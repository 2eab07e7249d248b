package dev.sluice.router.topology;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the router could not write: retriable errors are retried; anything else (a record too
 * large for the topic, a serialization failure) is logged and counted and the router goes on with
 * the next record instead of stopping. Oversized prompts are refused earlier (max prompt tokens),
 * so this should stay at zero.
 */
public final class ProductionFailureHandler extends RouterErrorHandler implements ProductionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProductionFailureHandler.class);

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RetriableException) return Response.retry();
    log.error("could not write a record to {} (source {}-{}@{})", record.topic(), context.topic(), context.partition(),
        context.offset(), exception);
    config.count("failed");
    return Response.resume();
  }

  @Override
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
      SerializationExceptionOrigin origin) {
    log.error("could not serialize the {} of a record for {}", origin, record.topic(), exception);
    config.count("failed");
    return Response.resume();
  }
}
