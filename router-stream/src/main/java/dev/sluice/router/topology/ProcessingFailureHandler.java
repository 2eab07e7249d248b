package dev.sluice.router.topology;

import dev.sluice.router.admission.ErrorResults;
import dev.sluice.schemas.serde.RequestIdentity;
import java.util.Optional;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backstop for an exception thrown while processing one record (the processors already turn
 * expected failures into ERROR results): a record of a known request is answered with an ERROR
 * (internal), any other source record goes to the DLQ with the exception as its reason, and the stream
 * continues, so one bad record never stops the router and no client waits forever.
 */
public final class ProcessingFailureHandler extends RouterErrorHandler implements ProcessingExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ProcessingFailureHandler.class);

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    log.error("processing failed in {} for {}-{}@{}; record sent to the DLQ", context.processorNodeId(),
        context.topic(), context.partition(), context.offset(), exception);
    config.count("failed");
    // The request ids header is set at admission; a raw request may name itself in its JSON.
    Optional<String> requestId = RequestIdentity.of(context.headers(),
        config.isRequestsTopic(context.topic()) ? context.sourceRawValue() : null);
    if (requestId.isPresent()) {
      return Response.resume(errorResult(requestId.get(), context.headers(), ErrorResults.INTERNAL,
          "the router failed on this request: " + exception));
    }
    if (context.sourceRawValue() == null) return Response.resume();
    return Response.resume(deadLetter(context.topic(), context.partition(), context.offset(), context.sourceRawKey(),
        context.sourceRawValue(), context.headers(), "processing failed in " + context.processorNodeId() + ": " + exception));
  }
}
