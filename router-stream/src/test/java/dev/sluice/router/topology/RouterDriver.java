package dev.sluice.router.topology;

import static dev.sluice.router.Fixtures.worker;

import dev.sluice.router.PromptTokenizer;
import dev.sluice.router.RouterMetrics;
import dev.sluice.router.RouterSettings;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.topics.cluster.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The router topology in a TopologyTestDriver with its topics, one stage, every lane served by a live worker. */
final class RouterDriver implements AutoCloseable {
  static final long T0 = 1_700_000_000_000L;
  static final int LANES = 4;

  final SluiceTopics topics = new SluiceTopics("t");
  final RouterMetrics metrics = new RouterMetrics(new PrometheusRegistry());
  final TopologyTestDriver driver;
  final TestInputTopic<String, InferenceRequest> requests;
  final TestInputTopic<byte[], byte[]> rawRequests;
  final TestOutputTopic<String, StageWork> stage0;
  final TestOutputTopic<String, ResultEvent> results;
  final TestOutputTopic<byte[], byte[]> dlq;
  final ClusterView cluster = new ClusterView(ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER);

  RouterDriver(RouterSettings settings, PromptTokenizer tokenizer, Path dataDir) {
    RouterSettings s = settings.withLanes(LANES).withDataDir(dataDir).withRandomSeed(7L);
    driver = new TopologyTestDriver(RouterTopology.build(topics, s, tokenizer, metrics, RouterTopology.inFlightWork(s), cluster, 1),
        RouterTopology.properties(s, "unused:9092", topics, metrics), Instant.ofEpochMilli(T0));
    requests = driver.createInputTopic(topics.requests().name(), new StringSerializer(), SluiceSerdes.inferenceRequest().serializer());
    rawRequests = driver.createInputTopic(topics.requests().name(), new ByteArraySerializer(), new ByteArraySerializer());
    stage0 = driver.createOutputTopic(topics.stage(0).name(), new StringDeserializer(), SluiceSerdes.stageWork().deserializer());
    results = driver.createOutputTopic(topics.results().name(), new StringDeserializer(), SluiceSerdes.resultEvent().deserializer());
    dlq = driver.createOutputTopic(topics.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    for (int lane = 0; lane < LANES; lane++) {
      // heard an hour ahead of the driver's clock: live through every test
      cluster.heard("w" + lane, worker("w" + lane, 0, List.of(lane), 0, T0), T0 + 3_600_000);
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
