package dev.sluice.worker.step;

import dev.sluice.worker.heartbeat.Heartbeat.KvChange;
import java.util.List;

/**
 * The outcome of one step: the records to send, the block-cache changes to announce, how many
 * inputs were computed, positions computed, and requests that finished here.
 */
public record StepResult(List<Outgoing> outgoing, List<KvChange> kvChanges, int computed, int positions,
    int finished) {

  /** The same with the block-cache changes of its blocks, stored after its records were handed over. */
  public StepResult withKvChanges(List<KvChange> changes) {
    return new StepResult(outgoing, changes, computed, positions, finished);
  }
}
