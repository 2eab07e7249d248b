package dev.sluice.schemas.topic;

import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.KvEvent;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceSerdes;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed registry of Sluice's topics; every name derives from the namespace (default {@code sluice}, the {@code --prefix} flag).
 * DLQ values are the original bytes, with the reason in headers.
 */
public record SluiceTopics(String namespace) {
  public static final String DEFAULT_NAMESPACE = "sluice";

  public SluiceTopics {
    if (namespace == null || namespace.isBlank() || !namespace.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("topic prefix must be non-empty and use only letters, digits, '.', '_' and '-': '" + namespace + "'");
    }
  }

  public static SluiceTopics defaults() {
    return new SluiceTopics(DEFAULT_NAMESPACE);
  }

  public Topic<String, InferenceRequest> requests() {
    return new Topic<>(namespace + ".requests", Serdes.String(), SluiceSerdes.inferenceRequest());
  }

  public Topic<String, StageWork> stage(int stage) {
    if (stage < 0) throw new IllegalArgumentException("stage must be >= 0: " + stage);
    return new Topic<>(namespace + ".stage-" + stage, Serdes.String(), SluiceSerdes.stageWork());
  }

  public Topic<String, ResultEvent> results() {
    return new Topic<>(namespace + ".results", Serdes.String(), SluiceSerdes.resultEvent());
  }

  public Topic<String, WorkerStatus> workers() {
    return new Topic<>(namespace + ".workers", Serdes.String(), SluiceSerdes.workerStatus());
  }

  public Topic<String, KvEvent> kvEvents() {
    return new Topic<>(namespace + ".kv-events", Serdes.String(), SluiceSerdes.kvEvent());
  }

  /** Cancels of requests, keyed by request id (compacted); every stage worker reads all of it. */
  public Topic<String, CancelRequest> cancels() {
    return new Topic<>(namespace + ".cancels", Serdes.String(), SluiceSerdes.cancelRequest());
  }

  public Topic<byte[], byte[]> dlq() {
    return new Topic<>(namespace + ".dlq", Serdes.ByteArray(), Serdes.ByteArray());
  }
}
