package dev.sluice.router.topology;

import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.request;
import static dev.sluice.router.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterSettings;
import dev.sluice.router.admission.Admission;
import dev.sluice.router.admission.ErrorResults;
import dev.sluice.router.admission.RequestAdmission;
import dev.sluice.router.view.InFlightWork;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.topics.cluster.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing processor alone, with Kafka Streams' {@link MockProcessorContext} and real in-memory
 * stores: what it forwards for an admitted prompt (PREFILL_CHUNKs on a lane a live worker owns, or one
 * ERROR), what it keeps waiting, and that a replayed request is not routed twice.
 */
class LaneRoutingProcessorTest {
  private static final long NOW = 1_700_000_000_000L;
  private static final long PENDING_CHECK_MS = 250;

  private final RouterSettings settings = RouterSettings.defaults("stories260K")
      .withLanes(4).withPolicy("round_robin").withTimes(5_000, 2_000, PENDING_CHECK_MS, 1_000);
  private final MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
  /** The workers as the router's cluster view hears them (each heartbeat at the time it carries); one stage. */
  private final ClusterView cluster = new ClusterView(ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER);
  private KeyValueStore<String, StageWork> pending;
  private LaneRoutingProcessor processor;

  @BeforeEach
  void start() {
    context.setCurrentSystemTimeMs(NOW);
    pending = store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RouterTopology.PENDING_STORE),
        Serdes.String(), SluiceSerdes.stageWork()));
    store(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RouterTopology.PREFIX_INDEX_STORE),
        Serdes.Bytes(), Serdes.ByteArray()));
    store(RequestIdMemory.storeBuilder(RouterTopology.ROUTED_IDS_STORE, settings.routedIdsTtlMs()));
    processor = new LaneRoutingProcessor(settings, new RouterMetrics(new PrometheusRegistry()), new InFlightWork(settings.lanes()),
        cluster, 1);
    processor.init(context);
  }

  @Test
  void shouldWriteThePromptAsPrefillChunksOnALaneALiveWorkerOwns() {
    heard("w0", worker("w0", 0, List.of(2), 0, NOW));

    processor.process(admitted("r1", 100, null));

    List<StageWork> chunks = forwarded(StageWork.class);
    assertThat(chunks).hasSize(2); // 100 prompt tokens, 64 per chunk
    assertThat(chunks).allSatisfy(chunk -> {
      assertThat(chunk.getLane()).isEqualTo(2);
      assertThat(chunk.getRequestId()).isEqualTo("r1");
    });
    assertThat(chunks.get(0).getEndPos()).isEqualTo(64);
    assertThat(chunks.get(1).getLastPromptChunk()).isTrue();
    assertThat(context.forwarded()).allSatisfy(f -> {
      assertThat(f.record().key()).isEqualTo("r1");
      assertThat(SluiceHeaders.get(f.record().headers(), SluiceHeaders.REQUEST_ID)).isEqualTo("r1");
    });
  }

  @Test
  void shouldNotRouteARequestTwiceWhenItIsReplayed() {
    heard("w0", worker("w0", 0, List.of(0, 1, 2, 3), 0, NOW));
    Record<String, StageWork> prompt = admitted("r2", 20, null);

    processor.process(prompt);
    processor.process(prompt);

    assertThat(forwarded(StageWork.class)).hasSize(1);
  }

  @Test
  void shouldEndARequestWhoseDeadlinePassedWithOneError() {
    heard("w0", worker("w0", 0, List.of(0, 1, 2, 3), 0, NOW));

    processor.process(admitted("r3", 20, NOW - 1));

    assertThat(forwarded(StageWork.class)).isEmpty();
    assertThat(forwarded(ResultEvent.class)).singleElement()
        .satisfies(error -> assertThat(String.valueOf(error.getErrorCode())).isEqualTo(ErrorResults.DEADLINE_EXCEEDED));
  }

  @Test
  void shouldEndARequestNoLiveWorkerCanTakeWithNoWorkersOnceTheWaitIsOver() {
    processor.process(admitted("r4", 20, null));
    context.setCurrentSystemTimeMs(NOW + settings.noWorkerWaitMs());
    pendingCheck().getPunctuator().punctuate(NOW + settings.noWorkerWaitMs());

    assertThat(forwarded(StageWork.class)).isEmpty();
    assertThat(forwarded(ResultEvent.class)).singleElement()
        .satisfies(error -> assertThat(String.valueOf(error.getErrorCode())).isEqualTo(ErrorResults.NO_WORKERS));
    assertThat(pending.approximateNumEntries()).isZero();
  }

  @Test
  void shouldRouteAWaitingRequestOnceAWorkerOwnsALane() {
    // a worker of stage 0 is live but owns no lane yet (its group is still assigning lanes)
    heard("w0", worker("w0", 0, List.of(), 0, NOW));
    processor.process(admitted("r5", 20, null));
    assertThat(context.forwarded()).isEmpty();
    assertThat(pending.approximateNumEntries()).isEqualTo(1);

    heard("w0", worker("w0", 0, List.of(3), 0, NOW + 100));
    context.setCurrentSystemTimeMs(NOW + PENDING_CHECK_MS);
    pendingCheck().getPunctuator().punctuate(NOW + PENDING_CHECK_MS);

    assertThat(forwarded(StageWork.class)).singleElement().satisfies(chunk -> assertThat(chunk.getLane()).isEqualTo(3));
    assertThat(pending.approximateNumEntries()).isZero();
  }

  private void heard(String workerId, WorkerStatus status) {
    cluster.heard(workerId, status, status.getTimestampMs());
  }

  /** The prompt the admission step makes of a request, keyed by its prefix family as after the repartition. */
  private Record<String, StageWork> admitted(String id, int promptTokens, Long deadlineMs) {
    InferenceRequest request = request(id, prompt(7, promptTokens));
    Admission.Accepted accepted = (Admission.Accepted) new RequestAdmission(settings, null).admit(request, id, null, NOW, NOW);
    StageWork prompt = accepted.prompt();
    prompt.setDeadlineMs(deadlineMs); // one that passed while the request waited for the repartition
    return new Record<>(accepted.familyKey(), prompt, NOW, new RecordHeaders());
  }

  private <T> List<T> forwarded(Class<T> type) {
    return context.forwarded().stream().map(CapturedForward::record).map(Record::value)
        .filter(type::isInstance).map(type::cast).toList();
  }

  private CapturedPunctuator pendingCheck() {
    return context.scheduledPunctuators().stream()
        .filter(p -> p.getInterval().toMillis() == PENDING_CHECK_MS).findFirst().orElseThrow();
  }

  private <S extends KeyValueStore<?, ?>> S store(StoreBuilder<S> builder) {
    S store = builder.withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }
}
