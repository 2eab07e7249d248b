package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads the results topic (as a global source, so every router instance sees the results of every
 * request it placed, whatever reply partition they went to) and moves the router's in-flight table:
 * a TOKEN is progress, a DONE or ERROR ends the placement. Results of requests this instance did
 * not place, or of requests that ended already, change nothing. Its store stays empty: the table
 * lives in memory, shared by the routing tasks of this process.
 */
final class InFlightResultsReader implements Processor<String, ResultEvent, Void, Void> {
  private final InFlightWork inFlight;
  private final RouterMetrics metrics;
  private final String policy;
  private java.util.function.LongSupplier clock = System::currentTimeMillis;

  /** @param metrics where predicted and reported cached tokens of finished requests go (null: nowhere) */
  InFlightResultsReader(InFlightWork inFlight, RouterMetrics metrics, String policy) {
    this.inFlight = inFlight;
    this.metrics = metrics;
    this.policy = policy;
  }

  @Override
  public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
    clock = context::currentSystemTimeMs;
  }

  @Override
  public void process(Record<String, ResultEvent> record) {
    ResultEvent event = record.value();
    if (event == null) return;
    String requestId = event.getRequestId().toString();
    if (event.getKind() == ResultKind.TOKEN) inFlight.tokensAt(requestId, event.getTokenIds().size(), clock.getAsLong());
    else {
      InFlightWork.Placement placed = inFlight.finishedAt(requestId, clock.getAsLong());
      if (placed != null && metrics != null && event.getKind() == ResultKind.DONE && event.getUsage() != null) {
        metrics.finished(policy, placed.promptTokens(), placed.predictedCachedTokens(), event.getUsage().getCachedPromptTokens());
      }
    }
  }
}
