package dev.sluice.router.topology;

import dev.sluice.schemas.WorkerStatus;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the latest heartbeat of every worker in the global workers store; a tombstone removes it. */
final class WorkerTableUpdater implements Processor<String, WorkerStatus, Void, Void> {
  private KeyValueStore<String, WorkerStatus> workers;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    workers = context.getStateStore(RouterTopology.WORKERS_STORE);
  }

  @Override
  public void process(Record<String, WorkerStatus> record) {
    if (record.key() == null) return;
    if (record.value() == null) workers.delete(record.key());
    else workers.put(record.key(), record.value());
  }
}
