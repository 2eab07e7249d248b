package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backstop for an exception thrown while processing one record (the processors already turn
 * expected failures into ERROR results): the source record goes to the DLQ with the exception as
 * its reason and the stream continues, so one bad record never stops the router.
 */
public final class ProcessingFailureHandler implements ProcessingExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProcessingFailureHandler.class);
  private String dlqTopic;
  private RouterMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(RouterTopology.DLQ_TOPIC_CONFIG);
    dlqTopic = topic == null ? null : topic.toString();
    metrics = RouterTopology.metricsFrom(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    log.error("processing failed in {} for {}-{}@{}; record sent to the DLQ", context.processorNodeId(),
        context.topic(), context.partition(), context.offset(), exception);
    if (metrics != null) metrics.request("failed");
    if (dlqTopic == null || context.sourceRawValue() == null) return Response.resume();
    return Response.resume(List.of(DeadLetterHandler.deadLetter(dlqTopic, context.topic(), context.partition(),
        context.offset(), context.sourceRawKey(), context.sourceRawValue(), context.headers(),
        "processing failed in " + context.processorNodeId() + ": " + exception)));
  }
}
