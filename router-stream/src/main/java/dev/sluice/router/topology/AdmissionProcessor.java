package dev.sluice.router.topology;

import dev.sluice.router.RouterMetrics;
import dev.sluice.router.admission.Admission;
import dev.sluice.router.admission.ErrorResults;
import dev.sluice.router.admission.RequestAdmission;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.serde.SluiceHeaders;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests → a PREFILL_CHUNK template keyed by prefix family (to be repartitioned), or an ERROR
 * result keyed by request id. Assigns {@code <topic>-<partition>-<offset>} to requests without an id,
 * so a replayed record keeps its id; a request id admitted before (a replay after a crash) is dropped.
 */
final class AdmissionProcessor implements Processor<String, InferenceRequest, String, SpecificRecord> {
  private static final Logger log = LoggerFactory.getLogger(AdmissionProcessor.class);

  private final RequestAdmission admission;
  private final RouterMetrics metrics;
  private final long admittedIdsTtlMs;
  private ProcessorContext<String, SpecificRecord> context;
  private RequestIdMemory admitted;

  AdmissionProcessor(RequestAdmission admission, RouterMetrics metrics, long admittedIdsTtlMs) {
    this.admission = admission;
    this.metrics = metrics;
    this.admittedIdsTtlMs = admittedIdsTtlMs;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    admitted = RequestIdMemory.of(context, RouterTopology.ADMITTED_IDS_STORE, admittedIdsTtlMs);
  }

  @Override
  public void process(Record<String, InferenceRequest> record) {
    InferenceRequest request = record.value(); // never null: RequestRecordDeserializer sends tombstones to the DLQ
    String requestId = request.getRequestId() == null || request.getRequestId().isBlank() ? assignedId() : request.getRequestId();
    long now = context.currentSystemTimeMs();
    if (admitted.contains(requestId, now)) {
      // a replay after a router crash (or the same id sent again): it was answered or routed already
      log.info("request {} was admitted before; not admitting it twice", requestId);
      metrics.request("duplicate");
      return;
    }
    Integer replyPartition = ReplyPartitioner.parse(SluiceHeaders.get(record.headers(), SluiceHeaders.REPLY_PARTITION));
    Admission outcome;
    try {
      outcome = admission.admit(request, requestId, replyPartition, now, record.timestamp());
    } catch (RuntimeException e) {
      // E.g. the tokenizer failed on this text: the client still gets an answer.
      log.warn("could not admit request {}", requestId, e);
      outcome = new Admission.Rejected(ErrorResults.error(requestId, request.getModel(), ErrorResults.INTERNAL,
          "the router failed on this request: " + e, request.getCreatedAtMs(), now));
    }
    SluiceHeaders.put(record.headers(), SluiceHeaders.REQUEST_ID, requestId);
    if (outcome instanceof Admission.Accepted accepted) {
      context.forward(record.withKey(accepted.familyKey()).<SpecificRecord>withValue(accepted.prompt()));
    } else if (outcome instanceof Admission.Rejected rejected) {
      metrics.request("rejected");
      context.forward(record.withKey(requestId).<SpecificRecord>withValue(rejected.error()));
    }
    // after the outputs: a crash in between replays the request (a duplicate at worst), never loses it
    admitted.remember(requestId, now);
  }

  private String assignedId() {
    RecordMetadata m = context.recordMetadata().orElseThrow();
    return m.topic() + "-" + m.partition() + "-" + m.offset();
  }
}
