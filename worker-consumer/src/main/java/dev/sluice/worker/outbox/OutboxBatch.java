package dev.sluice.worker.outbox;

import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.step.Outgoing;
import java.util.List;

/**
 * The outputs of one step and the input records they finish: the inputs count as done (their
 * offsets may be committed) once every output, or the ERROR that replaced it, is acknowledged.
 */
public record OutboxBatch(List<PolledRecord> inputs, List<Outgoing> outgoing, long epoch) {}
