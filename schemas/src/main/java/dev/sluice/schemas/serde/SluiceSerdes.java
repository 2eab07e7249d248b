package dev.sluice.schemas.serde;

import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.KvEvent;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerStatus;

/**
 * One serde per record type, built once per process: building one parses the schema history, and
 * the topic registry asks for serdes on every call. They are stateless and thread-safe (Avro's
 * message encoders and decoders keep their buffers per thread), and close() does nothing.
 */
public final class SluiceSerdes {
  private static final InferenceRequestSerde INFERENCE_REQUEST = new InferenceRequestSerde();
  private static final AvroSerde<StageWork> STAGE_WORK = new AvroSerde<>(StageWork.class, StageWork.getClassSchema());
  private static final AvroSerde<ResultEvent> RESULT_EVENT = new AvroSerde<>(ResultEvent.class, ResultEvent.getClassSchema());
  private static final AvroSerde<WorkerStatus> WORKER_STATUS =
      new AvroSerde<>(WorkerStatus.class, WorkerStatus.getClassSchema());
  private static final AvroSerde<KvEvent> KV_EVENT = new AvroSerde<>(KvEvent.class, KvEvent.getClassSchema());

  private static final AvroSerde<CancelRequest> CANCEL_REQUEST =
      new AvroSerde<>(CancelRequest.class, CancelRequest.getClassSchema());

  private SluiceSerdes() {}

  public static InferenceRequestSerde inferenceRequest() {
    return INFERENCE_REQUEST;
  }

  public static AvroSerde<StageWork> stageWork() {
    return STAGE_WORK;
  }

  public static AvroSerde<ResultEvent> resultEvent() {
    return RESULT_EVENT;
  }

  public static AvroSerde<WorkerStatus> workerStatus() {
    return WORKER_STATUS;
  }

  public static AvroSerde<KvEvent> kvEvent() {
    return KV_EVENT;
  }

  public static AvroSerde<CancelRequest> cancelRequest() {
    return CANCEL_REQUEST;
  }
}
