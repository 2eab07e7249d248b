package dev.sluice.router.topology;

import dev.sluice.router.view.InFlightWork;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.request;
import static dev.sluice.router.Fixtures.sharedPrefix;
import static dev.sluice.router.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterSettings;
import dev.sluice.router.policy.RoutingRequest;
import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.KvEvent;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.WorkKind;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.cluster.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTopologyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int LANES = 4;

  @TempDir Path dataDir;

  private final SluiceTopics topics = new SluiceTopics("t");
  private final RouterMetrics metrics = new RouterMetrics(new PrometheusRegistry());
  private TopologyTestDriver driver;
  private TestInputTopic<String, InferenceRequest> requests;
  private TestInputTopic<byte[], byte[]> rawRequests;
  /** The workers' heartbeats as the router's cluster view hears them; the topology's stage count. */
  private final ClusterView cluster = new ClusterView(ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER);
  private int stages = 1;
  private TestInputTopic<String, KvEvent> kvEvents;
  /** What the router's results tail tells the in-flight table (beside the topology, as in RouterService). */
  private InFlightResultsReader resultsIn;
  private TestOutputTopic<String, StageWork> stage0;
  private TestOutputTopic<String, ResultEvent> results;
  private TestOutputTopic<byte[], byte[]> dlq;

  private void start(RouterSettings settings) {
    RouterSettings s = settings.withLanes(LANES).withDataDir(dataDir).withRandomSeed(7L);
    InFlightWork inFlight = RouterTopology.inFlightWork(s);
    resultsIn = new InFlightResultsReader(inFlight, metrics, s.policy(), () -> T0);
    driver = new TopologyTestDriver(RouterTopology.build(topics, s, null, metrics, inFlight, cluster, stages),
        RouterTopology.properties(s, "unused:9092", topics, metrics), Instant.ofEpochMilli(T0));
    requests = driver.createInputTopic(topics.requests().name(), new StringSerializer(), SluiceSerdes.inferenceRequest().serializer());
    rawRequests = driver.createInputTopic(topics.requests().name(), new ByteArraySerializer(), new ByteArraySerializer());
    kvEvents = driver.createInputTopic(topics.kvEvents().name(), new StringSerializer(), SluiceSerdes.kvEvent().serializer());
    stage0 = driver.createOutputTopic(topics.stage(0).name(), new StringDeserializer(), SluiceSerdes.stageWork().deserializer());
    results = driver.createOutputTopic(topics.results().name(), new StringDeserializer(), SluiceSerdes.resultEvent().deserializer());
    dlq = driver.createOutputTopic(topics.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private void start(String policy) {
    start(RouterSettings.defaults(MODEL).withPolicy(policy));
  }

  /** Starts the router with {@code policy}, every lane served by a live worker of its own. */
  private void startServingEveryLane(String policy) {
    start(policy);
    allLanesLive();
  }

  @AfterEach
  void close() {
    if (driver != null) driver.close();
  }

  /** One live single-stage worker per lane, all idle. */
  private void allLanesLive() {
    for (int lane = 0; lane < LANES; lane++) {
      beat("w" + lane, worker("w" + lane, 0, List.of(lane), 0, now()));
    }
  }

  /** Nothing more reaches the results topic, even once another no-worker wait (10 s by default) has passed. */
  private void assertNoMoreResultsAfterTheWait(String why) {
    driver.advanceWallClockTime(Duration.ofSeconds(11));
    assertThat(results.isEmpty()).as(why).isTrue();
  }

  /** The router hears {@code status} at the time the heartbeat carries (the tests keep it at the driver's wall clock). */
  private void beat(String workerId, WorkerStatus status) {
    cluster.heard(workerId, status, status.getTimestampMs());
  }

  private long now() {
    return T0 + (driver == null ? 0 : 0);
  }

  /** What the last stage writes when a request finishes after {@code tokens} tokens. */
  private void done(String requestId, int tokens) {
    resultsIn.record(requestId, ResultEvent.newBuilder().setRequestId(requestId).setIndex(tokens).setKind(ResultKind.DONE)
        .setFinishReason(FinishReason.LENGTH).setModel(MODEL).setAtMs(T0).build(), T0, true);
  }

  private void done(String requestId, int tokens, int promptTokens, int cachedTokens) {
    resultsIn.record(requestId, ResultEvent.newBuilder().setRequestId(requestId).setIndex(tokens).setKind(ResultKind.DONE)
        .setFinishReason(FinishReason.LENGTH).setModel(MODEL).setAtMs(T0)
        .setUsage(new dev.sluice.schemas.Usage(promptTokens, cachedTokens, tokens)).build(), T0, true);
  }

  private static int homeLane(int[] tokens) {
    return RoutingRequest.of("x", tokens, MODEL, null, 16).homeLane(LANES);
  }

  @Test
  void shouldWritePromptAsPrefillChunksOnOneLane() {
    startServingEveryLane("cache_aware");
    int[] tokens = prompt(1, 150);
    var headers = new RecordHeaders();
    headers.add(SluiceHeaders.REPLY_PARTITION, "3".getBytes(StandardCharsets.UTF_8));
    headers.add(SluiceHeaders.TRACEPARENT, "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
    requests.pipeInput(new TestRecord<>(null, request("r1", tokens), headers, Instant.ofEpochMilli(T0)));

    List<TestRecord<String, StageWork>> chunks = stage0.readRecordsToList();
    assertThat(chunks).hasSize(3);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.key()).isEqualTo("r1");
      assertThat(c.value().getKind()).isEqualTo(WorkKind.PREFILL_CHUNK);
      assertThat(c.value().getLane()).isEqualTo(homeLane(tokens));
      assertThat(c.value().getTokenIds()).containsExactlyElementsOf(IntStream.of(tokens).boxed().toList());
      assertThat(c.value().getPromptLength()).isEqualTo(150);
      assertThat(c.value().getBlockHashes()).hasSize(9);
      assertThat(c.value().getReplyPartition()).isEqualTo(3);
      assertThat(c.value().getSampling().getMaxTokens()).isEqualTo(8);
      assertThat(c.value().getModel()).isEqualTo(MODEL);
      assertThat(c.value().getHidden()).isNull();
      assertThat(SluiceHeaders.get(c.headers(), SluiceHeaders.REQUEST_ID)).isEqualTo("r1");
      assertThat(SluiceHeaders.get(c.headers(), SluiceHeaders.REPLY_PARTITION)).isEqualTo("3");
      assertThat(SluiceHeaders.get(c.headers(), SluiceHeaders.TRACEPARENT)).isEqualTo("00-abc-def-01");
    });
    assertThat(chunks).extracting(c -> List.of(c.value().getStartPos(), c.value().getEndPos()))
        .containsExactly(List.of(0, 64), List.of(64, 128), List.of(128, 150));
    assertThat(chunks).extracting(c -> c.value().getLastPromptChunk()).containsExactly(false, false, true);
    assertThat(results.isEmpty()).isTrue();
  }

  @Test
  void shouldRouteSharedPrefixToSameLane() {
    for (String policy : List.of("cache_aware", "prefix_hash")) {
      startServingEveryLane(policy);
      for (int i = 0; i < 6; i++) {
        // One after the other: each finishes (its DONE comes back) before the next arrives.
        requests.pipeInput(null, request(policy + i, sharedPrefix(5, 32, 100 + i, 40 + i)), T0 + i * 500L);
        driver.advanceWallClockTime(Duration.ofMillis(500));
        done(policy + i, 8);
      }
      List<StageWork> chunks = stage0.readValuesToList();
      assertThat(chunks).hasSize(6);
      assertThat(chunks).extracting(StageWork::getLane).as(policy + " " + chunks.stream().map(c -> c.getLane() + "/" + c.getPromptLength()).toList()).containsOnly(chunks.get(0).getLane());
      driver.close();
      driver = null;
    }
  }

  @Test
  void shouldGrowABurstOfOnePrefixOntoMoreLanesAsItsWorkInFlightGrows() {
    startServingEveryLane("cache_aware");
    for (int i = 0; i < 6; i++) {
      requests.pipeInput(null, request("burst" + i, sharedPrefix(5, 32, 100 + i, 40 + i)), T0);
    }
    List<Integer> lanes = stage0.readValuesToList().stream().map(StageWork::getLane).toList();
    int h = homeLane(sharedPrefix(5, 32, 100, 40));
    // Nothing finishes: each placement adds ~0.04 s of prefill + 8 tokens x 0.01 s to its lane. Two
    // requests on a lane (0.21 s) outweigh a cold prefill elsewhere (0.04 s + 3 x 0.032 s of
    // hysteresis for the 2 cached blocks it would redo), so the family grows onto the next lane in
    // ring order, which then serves it from cache.
    assertThat(lanes).containsExactly(h, h, (h + 1) % LANES, (h + 1) % LANES, (h + 2) % LANES, (h + 2) % LANES);
    assertThat(metrics.decisions("cache_aware", "new_prefix")).isEqualTo(1);
    assertThat(metrics.decisions("cache_aware", "load_override")).isEqualTo(2);
    assertThat(metrics.decisions("cache_aware", "affinity_hit")).isEqualTo(3);
  }

  @Test
  void shouldCountAPlacementAsLoadUntilItsDoneComesBack() {
    startServingEveryLane("least_load");
    for (int i = 0; i < LANES; i++) requests.pipeInput(null, request("r" + i, prompt(1 + i, 40)), T0);
    // least_load: each lane busy with the request in flight on it, so the next goes to the next lane.
    assertThat(stage0.readValuesToList()).extracting(StageWork::getLane).containsExactly(0, 1, 2, 3);
    done("r2", 8);
    requests.pipeInput(null, request("next", prompt(9, 40)), T0);
    assertThat(stage0.readValue().getLane()).as("lane 2 is free again once r2's DONE is read").isEqualTo(2);
  }

  @Test
  void shouldCountTheCachedTokensItPredictedAndThoseTheWorkersReported() {
    startServingEveryLane("cache_aware");
    requests.pipeInput(null, request("cold", sharedPrefix(8, 32, 1, 40)), T0);
    done("cold", 8, 40, 0);
    requests.pipeInput(null, request("warm", sharedPrefix(8, 32, 2, 40)), T0); // the index expects 2 blocks cached
    done("warm", 8, 40, 16); // the worker had only 1
    assertThat(metrics.cachedPromptTokens("cache_aware", "predicted")).isEqualTo(32);
    assertThat(metrics.cachedPromptTokens("cache_aware", "reported")).isEqualTo(16);
  }

  @Test
  void shouldEndInFlightRequestsWithOneErrorAtOnceWhenAStageLosesEveryWorker() {
    stages = 2;
    startServingEveryLane("cache_aware");
    beat("s1", worker("s1", 1, List.of(0, 1, 2, 3), 0, T0)); // stage 1: one worker for every lane
    var headers = new RecordHeaders();
    headers.add(SluiceHeaders.REPLY_PARTITION, "5".getBytes(StandardCharsets.UTF_8));
    requests.pipeInput(new TestRecord<>(null, request("on-the-way", prompt(4, 20)), headers, Instant.ofEpochMilli(T0)));
    requests.pipeInput(null, request("finished", prompt(5, 20)), T0);
    assertThat(stage0.readValuesToList()).hasSize(2);
    resultsIn.record("on-the-way", ResultEvent.newBuilder().setRequestId("on-the-way").setIndex(0).setKind(ResultKind.TOKEN)
        .setTokenIds(List.of(42)).setText("x").setAtMs(T0).build(), T0, true);
    done("finished", 8);

    // The stage-1 worker is killed: its heartbeat goes stale after 5 s, the others keep beating.
    driver.advanceWallClockTime(Duration.ofSeconds(4));
    for (int lane = 0; lane < LANES; lane++) beat("w" + lane, worker("w" + lane, 0, List.of(lane), 0, T0 + 4_000));
    driver.advanceWallClockTime(Duration.ofMillis(800));
    assertThat(results.isEmpty()).as("still within the stale limit").isTrue();
    driver.advanceWallClockTime(Duration.ofMillis(400));

    TestRecord<String, ResultEvent> error = results.readRecord();
    assertThat(error.key()).isEqualTo("on-the-way");
    assertThat(error.value().getKind()).isEqualTo(ResultKind.ERROR);
    assertThat(error.value().getErrorCode()).isEqualTo("no_workers");
    assertThat(error.value().getErrorMessage()).contains("stage 1").contains("in flight");
    assertThat(error.value().getIndex()).as("above any index a worker writes (maxTokens 8)").isEqualTo(9);
    assertThat(SluiceHeaders.get(error.headers(), SluiceHeaders.REPLY_PARTITION)).isEqualTo("5");
    assertNoMoreResultsAfterTheWait("one ERROR, and none for the request that had finished");
  }

  @Test
  void shouldMoveNewPrefixOffLaneWhoseWorkerIsOverTheBound() {
    start("cache_aware");
    int[] tokens = prompt(9, 48);
    int home = homeLane(tokens);
    for (int lane = 0; lane < LANES; lane++) {
      beat("w" + lane, worker("w" + lane, 0, List.of(lane), lane == home ? 12 : 1, T0));
    }
    requests.pipeInput(null, request("busy-home", tokens), T0);

    StageWork chunk = stage0.readValue();
    assertThat(chunk.getLane()).isNotEqualTo(home);
    // The index learned the new lane: the next request of the family follows it.
    requests.pipeInput(null, request("follower", sharedPrefix(9, 32, 77, 48)), T0);
    assertThat(stage0.readValue().getLane()).isEqualTo(chunk.getLane());
    assertThat(metrics.decisions("cache_aware", "new_prefix")).isEqualTo(1);
    assertThat(metrics.decisions("cache_aware", "affinity_hit")).isEqualTo(1);
  }

  @Test
  void shouldForgetIndexBlocksUnusedForTheTtl() {
    start(RouterSettings.defaults(MODEL).withIndexTtlMs(10_000));
    int[] tokens = prompt(9, 48);
    int home = homeLane(tokens);
    for (int lane = 0; lane < LANES; lane++) {
      beat("w" + lane, worker("w" + lane, 0, List.of(lane), lane == home ? 12 : 0, T0));
    }
    requests.pipeInput(null, request("moved", tokens), T0);
    int moved = stage0.readValue().getLane();
    assertThat(moved).isNotEqualTo(home);

    allLanesLive(); // the home lane is idle again, but the family is cached on the other lane
    requests.pipeInput(null, request("follows", tokens), T0);
    assertThat(stage0.readValue().getLane()).isEqualTo(moved);

    driver.advanceWallClockTime(Duration.ofSeconds(15));
    for (int lane = 0; lane < LANES; lane++) {
      beat("w" + lane, worker("w" + lane, 0, List.of(lane), 0, T0 + 15_000));
    }
    requests.pipeInput(null, request("forgotten", tokens), T0 + 15_000);
    assertThat(stage0.readValue().getLane()).as("index entry aged out: placed as a new prefix").isEqualTo(home);
  }

  @Test
  void shouldAnswerInvalidRequestsWithOneErrorEach() {
    startServingEveryLane("cache_aware");
    InferenceRequest noMaxTokens = request("bad-max", prompt(1, 10));
    noMaxTokens.setMaxTokens(0);
    InferenceRequest otherModel = request("bad-model", prompt(1, 10));
    otherModel.setModel("gpt-9");
    InferenceRequest tooLong = request("too-long", prompt(1, 3000));
    InferenceRequest noPrompt = request("no-prompt", prompt(1, 10));
    noPrompt.setPromptTokens(null);
    var headers = new RecordHeaders();
    headers.add(SluiceHeaders.REPLY_PARTITION, "2".getBytes(StandardCharsets.UTF_8));
    requests.pipeInput(new TestRecord<>(null, noMaxTokens, headers, Instant.ofEpochMilli(T0)));
    requests.pipeInput(null, otherModel, T0);
    requests.pipeInput(null, tooLong, T0);
    requests.pipeInput(null, noPrompt, T0);
    // Prompt text with no tokenizer configured.
    InferenceRequest text = request("text", prompt(1, 10));
    text.setPromptTokens(null);
    text.setPrompt("Once upon a time");
    requests.pipeInput(null, text, T0);

    List<TestRecord<String, ResultEvent>> errors = results.readRecordsToList();
    assertThat(errors).extracting(TestRecord::key).containsExactly("bad-max", "bad-model", "too-long", "no-prompt", "text");
    assertThat(errors).extracting(r -> r.value().getErrorCode())
        .containsExactly("invalid_request", "model_not_found", "too_large", "invalid_request", "invalid_request");
    assertThat(errors).allSatisfy(r -> {
      assertThat(r.value().getKind()).isEqualTo(ResultKind.ERROR);
      assertThat(r.value().getIndex()).isZero();
      assertThat(r.value().getFinishReason()).isEqualTo(FinishReason.ERROR);
      assertThat(r.value().getErrorMessage()).isNotBlank();
    });
    assertThat(errors.get(0).value().getErrorMessage()).contains("maxTokens");
    assertThat(SluiceHeaders.get(errors.get(0).headers(), SluiceHeaders.REPLY_PARTITION)).isEqualTo("2");
    assertThat(stage0.isEmpty()).isTrue();
  }

  @Test
  void shouldSendUnreadableBytesToDlqAndKeepRouting() {
    startServingEveryLane("cache_aware");
    byte[] garbage = {(byte) 0xC3, 0x01, 9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3};
    rawRequests.pipeInput("k".getBytes(StandardCharsets.UTF_8), garbage, T0);
    rawRequests.pipeInput(null, "{\"prompt\": ".getBytes(StandardCharsets.UTF_8), T0);
    requests.pipeInput(null, request("good", prompt(2, 20)), T0);

    List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(dead.get(0).key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
    assertThat(SluiceHeaders.get(dead.get(0).headers(), SluiceHeaders.DLQ_REASON)).isNotBlank();
    assertThat(SluiceHeaders.get(dead.get(0).headers(), SluiceHeaders.DLQ_SOURCE_TOPIC)).isEqualTo(topics.requests().name());
    assertThat(SluiceHeaders.get(dead.get(1).headers(), SluiceHeaders.DLQ_SOURCE_OFFSET)).isEqualTo("1");
    assertThat(stage0.readValue().getRequestId()).isEqualTo("good");
    assertThat(metrics.requests("unreadable")).isEqualTo(2);
  }

  @Test
  void shouldAssignTopicPartitionOffsetIdWhenRequestIdIsEmpty() {
    startServingEveryLane("cache_aware");
    requests.pipeInput(null, request("given", prompt(3, 20)), T0);
    requests.pipeInput(null, request("", prompt(3, 20)), T0);
    assertThat(stage0.readValuesToList()).extracting(StageWork::getRequestId)
        .containsExactly("given", topics.requests().name() + "-0-1");
  }

  @Test
  void shouldHoldRequestUntilAWorkerAppears() {
    start("cache_aware");
    var headers = new RecordHeaders();
    headers.add(SluiceHeaders.TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));
    requests.pipeInput(new TestRecord<>(null, request("early", prompt(4, 20)), headers, Instant.ofEpochMilli(T0)));
    driver.advanceWallClockTime(Duration.ofSeconds(3));
    assertThat(stage0.isEmpty()).isTrue();
    assertThat(results.isEmpty()).isTrue();

    beat("w1", worker("w1", 0, List.of(1), 0, T0 + 3_000));
    driver.advanceWallClockTime(Duration.ofMillis(300));
    TestRecord<String, StageWork> routed = stage0.readRecord();
    StageWork chunk = routed.value();
    assertThat(SluiceHeaders.get(routed.headers(), SluiceHeaders.TRACEPARENT))
        .as("the trace context survives the wait").isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(chunk.getRequestId()).isEqualTo("early");
    assertThat(chunk.getLane()).isEqualTo(1);
    assertThat(results.isEmpty()).isTrue();
  }

  @Test
  void shouldEndRequestWithNoWorkersAfterTheBoundedWait() {
    start("cache_aware");
    // A stale worker does not count.
    beat("gone", worker("gone", 0, List.of(0, 1, 2, 3), 0, T0 - 60_000));
    requests.pipeInput(null, request("lonely", prompt(4, 20)), T0);
    driver.advanceWallClockTime(Duration.ofSeconds(11));

    ResultEvent error = results.readValue();
    assertThat(error.getRequestId()).isEqualTo("lonely");
    assertThat(error.getErrorCode()).isEqualTo("no_workers");
    assertThat(error.getIndex()).isZero();
    assertThat(stage0.isEmpty()).isTrue();
    assertNoMoreResultsAfterTheWait("exactly one ERROR");
  }

  @Test
  void shouldEndRequestWithNoWorkersAtOnceWhenAWholeStageIsGone() {
    stages = 2;
    start("cache_aware");
    allLanesLive(); // stage 0 serves every lane
    beat("s1", worker("s1", 1, List.of(0, 1, 2, 3), 0, T0 - 60_000)); // stage 1's only worker died
    requests.pipeInput(null, request("stranded", prompt(4, 20)), T0);

    ResultEvent error = results.readValue(); // no wait: nobody could serve it
    assertThat(error.getRequestId()).isEqualTo("stranded");
    assertThat(error.getErrorCode()).isEqualTo("no_workers");
    assertThat(error.getErrorMessage()).contains("stage 1");
    assertThat(stage0.isEmpty()).isTrue();
    assertNoMoreResultsAfterTheWait("exactly one ERROR");
  }

  @Test
  void shouldRouteToLanesWorkersReportedCachingUnderPrecise() {
    startServingEveryLane("precise");
    int[] tokens = prompt(6, 40);
    RoutingRequest rr = RoutingRequest.of("x", tokens, MODEL, null, 16);
    int home = rr.homeLane(LANES);
    int reported = (home + 2) % LANES;
    kvEvents.pipeInput("w" + reported, KvEvent.newBuilder().setWorkerId("w" + reported).setStage(0).setLane(reported)
        .setStored(rr.blockHashes().stream().map(ByteBuffer::wrap).toList()).setTimestampMs(T0).build(), T0);
    requests.pipeInput(null, request("cached", tokens), T0);
    assertThat(stage0.readValue().getLane()).isEqualTo(reported);

    kvEvents.pipeInput("w" + reported, KvEvent.newBuilder().setWorkerId("w" + reported).setStage(0).setLane(-1)
        .setEvicted(rr.blockHashes().stream().map(ByteBuffer::wrap).toList()).setTimestampMs(T0).build(), T0);
    requests.pipeInput(null, request("evicted", tokens), T0);
    assertThat(stage0.readValue().getLane()).isEqualTo(home);
  }
}
