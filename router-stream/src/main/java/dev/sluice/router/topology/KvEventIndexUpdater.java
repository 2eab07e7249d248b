package dev.sluice.router.topology;

import dev.sluice.schemas.KvEvent;
import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Feeds the precise policy's index (a global store, so every router instance sees every report)
 * from the workers' kv-events: a stored block adds its lane; an evicted block removes its lane, or
 * every lane when the worker could not say which (lane -1). Any stage's report counts: a block
 * evicted from one stage must be recomputed there, so it no longer counts as cached on the lane.
 */
final class KvEventIndexUpdater implements Processor<String, KvEvent, Void, Void> {
  private StorePrefixIndex index;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    KeyValueStore<Bytes, byte[]> store = context.getStateStore(RouterTopology.KV_INDEX_STORE);
    // Worker reports are the truth for precise: every report is written (refresh after 0 ms).
    index = new StorePrefixIndex(store, context::currentSystemTimeMs, 0);
  }

  @Override
  public void process(Record<String, KvEvent> record) {
    KvEvent event = record.value();
    if (event == null) return;
    if (event.getLane() >= 0) {
      for (ByteBuffer hash : event.getStored()) index.add(bytes(hash), event.getLane());
    }
    for (ByteBuffer hash : event.getEvicted()) index.remove(bytes(hash), event.getLane());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
