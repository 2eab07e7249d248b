package dev.sluice.schemas.serde;

import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.KvEvent;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerStatus;

/** One serde per record type (all stateless and thread-safe). */
public final class SluiceSerdes {
  private SluiceSerdes() {}

  public static InferenceRequestSerde inferenceRequest() {
    return new InferenceRequestSerde();
  }

  public static AvroSerde<StageWork> stageWork() {
    return new AvroSerde<>(StageWork.class, StageWork.getClassSchema());
  }

  public static AvroSerde<ResultEvent> resultEvent() {
    return new AvroSerde<>(ResultEvent.class, ResultEvent.getClassSchema());
  }

  public static AvroSerde<WorkerStatus> workerStatus() {
    return new AvroSerde<>(WorkerStatus.class, WorkerStatus.getClassSchema());
  }

  public static AvroSerde<KvEvent> kvEvent() {
    return new AvroSerde<>(KvEvent.class, KvEvent.getClassSchema());
  }
}
