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
 * result keyed by request id. Assigns {@code <topic>-<partition>-<offset>} to requests without an id.
 */
final class AdmissionProcessor implements Processor<String, InferenceRequest, String, SpecificRecord> {
  private static final Logger log = LoggerFactory.getLogger(AdmissionProcessor.class);

  private final RequestAdmission admission;
  private final RouterMetrics metrics;
  private ProcessorContext<String, SpecificRecord> context;

  AdmissionProcessor(RequestAdmission admission, RouterMetrics metrics) {
    this.admission = admission;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, InferenceRequest> record) {
    InferenceRequest request = record.value();
    if (request == null) {
      // A tombstone is not a request; there is nobody to answer.
      log.warn("ignoring a record without value on {}", context.recordMetadata().map(RecordMetadata::topic).orElse("requests"));
      metrics.request("unreadable");
      return;
    }
    String requestId = request.getRequestId() == null || request.getRequestId().isBlank() ? assignedId() : request.getRequestId();
    Integer replyPartition = ReplyPartitioner.parse(SluiceHeaders.get(record.headers(), SluiceHeaders.REPLY_PARTITION));
    long now = context.currentSystemTimeMs();
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
  }

  private String assignedId() {
    RecordMetadata m = context.recordMetadata().orElseThrow();
    return m.topic() + "-" + m.partition() + "-" + m.offset();
  }
}
