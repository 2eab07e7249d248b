package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.topics.cluster.TopicReader;
import java.util.function.LongSupplier;

/**
 * Moves the router's in-flight table from the results topic: a TOKEN is progress, a DONE or ERROR ends
 * the placement. Results of requests this instance did not place, or of requests that ended already,
 * change nothing. It listens to a {@link TopicReader} that tails every partition of the results topic
 * from the router's start (every router instance sees the results of every request it placed, whatever
 * reply partition they went to); the table lives in memory, shared by the routing tasks of this process.
 */
public final class InFlightResultsReader implements TopicReader.Listener<ResultEvent> {
  private final InFlightWork inFlight;
  private final RouterMetrics metrics;
  private final String policy;
  private final LongSupplier clock;

  /**
   * @param metrics where predicted and reported cached tokens of finished requests go (null: nowhere)
   * @param clock the time a result counts as seen (milliseconds)
   */
  public InFlightResultsReader(InFlightWork inFlight, RouterMetrics metrics, String policy, LongSupplier clock) {
    this.inFlight = inFlight;
    this.metrics = metrics;
    this.policy = policy;
    this.clock = clock;
  }

  @Override
  public void record(String key, ResultEvent event, long timestampMs, boolean caughtUp) {
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
