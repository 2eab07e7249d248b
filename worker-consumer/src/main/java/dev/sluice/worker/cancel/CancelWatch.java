package dev.sluice.worker.cancel;

import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.topic.Topic;
import dev.sluice.topics.cluster.TopicReader;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the whole {@code <prefix>.cancels} topic (no group: every worker of every stage sees every
 * cancel, from the beginning of its short retention, so a worker that starts late still knows the
 * cancels of requests that may reach it) and tells the compute thread of each cancelled request id.
 * Without the topic (a deployment made before it existed) the worker runs on and cancels reach it
 * only as CANCEL records on its lanes.
 */
public final class CancelWatch implements AutoCloseable {
  private final TopicReader<CancelRequest> reader;

  /**
   * @param clientProps bootstrap servers and the pass-through client settings
   * @param cancelled told (on the reader's thread) of every cancelled request id
   */
  public CancelWatch(Map<String, Object> clientProps, Topic<String, CancelRequest> topic, Consumer<String> cancelled,
      String workerId) {
    this.reader = new TopicReader<>(clientProps, workerId + "-cancels", topic.name(),
        topic.valueSerde().deserializer(),
        "'sluice topics create' adds it; cancels reach this worker only on its lanes", (id, cancel, at, live) -> {
          // a tombstone (compaction's delete marker) cancels nothing
          if (cancel != null) cancelled.accept(cancel.getRequestId().toString());
        });
  }

  public void start() {
    reader.start();
  }

  @Override
  public void close() {
    reader.close();
  }
}
