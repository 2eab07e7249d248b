package dev.sluice.worker.recovery;

import dev.sluice.schemas.ResultEvent;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.step.ResultEmitter;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage's guard against sending results twice after it takes over lanes (a restart, or
 * lanes of a dead member): before the first step of a lane it has not served yet, it tells the
 * {@link ResultEmitter} what the results topic already holds since that lane's oldest record.
 * Compute thread only.
 */
public final class LaneTakeover {
  private static final Logger LOG = LoggerFactory.getLogger(LaneTakeover.class);

  private final SentResults sentResults;
  private final ResultEmitter emitter;
  private final Set<Integer> served = new HashSet<>();

  public LaneTakeover(SentResults sentResults, ResultEmitter emitter) {
    this.sentResults = sentResults;
    this.emitter = emitter;
  }

  /** Before a step: reads back what was sent for lanes new to this worker among {@code batch}. */
  public void beforeStep(List<PolledRecord> batch, List<PolledRecord> waiting) {
    Set<Integer> fresh = new HashSet<>();
    for (PolledRecord r : batch) {
      if (!served.contains(r.record().partition())) {
        fresh.add(r.record().partition());
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    long oldest = Long.MAX_VALUE;
    for (List<PolledRecord> records : List.of(batch, waiting)) {
      for (PolledRecord r : records) {
        if (fresh.contains(r.record().partition())) {
          oldest = Math.min(oldest, r.record().timestamp());
        }
      }
    }
    Map<String, List<ResultEvent>> sent = sentResults.since(oldest - SentResults.SKEW_MARGIN_MS);
    sent.forEach(emitter::remember);
    served.addAll(fresh);
    LOG.info("lanes {}: {} requests already had results on the topic since their oldest record", fresh, sent.size());
  }

  /** Lanes that moved away: if they come back, they are read back again. */
  public void lanesLost(Collection<Integer> lanes) {
    served.removeAll(lanes);
  }

  /** After a rewind everything is re-read. */
  public void reset() {
    served.clear();
  }
}
