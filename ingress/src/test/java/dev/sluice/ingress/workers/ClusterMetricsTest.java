package dev.sluice.ingress.workers;

import dev.sluice.topics.cluster.ClusterView;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ingress.IngressMetrics;
import dev.sluice.testing.SharedKafkaExtension;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cluster gauges the alerts read: lag per stage from the group's commits, DLQ records, workers per stage. */
@ExtendWith(SharedKafkaExtension.class)
class ClusterMetricsTest {

  @Test
  void shouldReportEachStagesUncommittedRecordsAndTheDlqsRecords() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("cluster");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(namespace + ".stage-0", 2, (short) 1), new NewTopic(namespace + ".stage-1", 2, (short) 1),
          new NewTopic(namespace + ".dlq", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", bootstrap),
          new StringSerializer(), new StringSerializer())) {
        // one record at a time, each acknowledged: on a loaded broker, batches racing to a topic created a moment
        // ago were once refused out of sequence, and the DLQ then held 1 record, not 2
        for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>(namespace + ".stage-0", 0, "r" + i, "x")).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) producer.send(new ProducerRecord<>(namespace + ".stage-0", 1, "r" + i, "x")).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 2; i++) producer.send(new ProducerRecord<>(namespace + ".dlq", "bad" + i, "?")).get(30, TimeUnit.SECONDS);
      }
      // stage 0's group has processed 4 records of partition 0 and none of partition 1: 1 + 3 wait
      admin.alterConsumerGroupOffsets(namespace + ".stage-0",
          Map.of(new TopicPartition(namespace + ".stage-0", 0), new OffsetAndMetadata(4))).all().get(30, TimeUnit.SECONDS);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    IngressMetrics metrics = IngressMetrics.in(registry);
    try (ClusterView directory = directory(bootstrap, namespace);
        ClusterMetrics cluster = cluster(bootstrap, namespace, directory, metrics)) {
      cluster.refresh();
      assertThat(gauge(registry, "sluice_cluster_stage_lag_records", Labels.of("stage", "0"))).isEqualTo(4);
      assertThat(gauge(registry, "sluice_cluster_stage_lag_records", Labels.of("stage", "1"))).isEqualTo(0);
      assertThat(gauge(registry, "sluice_cluster_dlq_records", Labels.EMPTY)).isEqualTo(2);
      // stages known from their topics show 0 workers, healthy and stale, before any heartbeat
      for (String stage : List.of("0", "1")) {
        assertThat(gauge(registry, "sluice_cluster_workers", Labels.of("health", "healthy", "stage", stage))).isEqualTo(0);
        assertThat(gauge(registry, "sluice_cluster_workers", Labels.of("health", "stale", "stage", stage))).isEqualTo(0);
      }
    }
  }

  @Test
  void shouldCountAWorkerWhoseHeartbeatsStoppedAsStaleAndALiveOneAsHealthy() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("stale");
    String bootstrap = SharedKafkaExtension.bootstrapServers();
    String workers = new dev.sluice.schemas.topic.SluiceTopics(namespace).workers().name();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(namespace + ".stage-0", 1, (short) 1), new NewTopic(workers, 1, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }
    long now = System.currentTimeMillis();
    try (var producer = new KafkaProducer<String, dev.sluice.schemas.WorkerStatus>(Map.of("bootstrap.servers", bootstrap),
        new StringSerializer(), dev.sluice.schemas.serde.SluiceSerdes.workerStatus().serializer())) {
      // a worker killed a minute ago (its last heartbeat is that old) and one beating now
      producer.send(new ProducerRecord<>(workers, 0, now - 60_000, "dead", heartbeat("dead", now - 60_000))).get();
      producer.send(new ProducerRecord<>(workers, 0, now, "alive", heartbeat("alive", now))).get();
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    IngressMetrics metrics = IngressMetrics.in(registry);
    try (ClusterView directory = directory(bootstrap, namespace);
        ClusterMetrics cluster = cluster(bootstrap, namespace, directory, metrics)) {
      assertThat(directory.awaitReady(Duration.ofSeconds(30))).isTrue();
      cluster.refresh();
      assertThat(gauge(registry, "sluice_cluster_workers", Labels.of("health", "healthy", "stage", "0"))).isEqualTo(1);
      assertThat(gauge(registry, "sluice_cluster_workers", Labels.of("health", "stale", "stage", "0"))).isEqualTo(1);
    }
  }

  private static ClusterView directory(String bootstrap, String namespace) {
    return ClusterView.read(Map.of("bootstrap.servers", bootstrap), "cluster-metrics-test",
        new dev.sluice.schemas.topic.SluiceTopics(namespace), ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER);
  }

  private static ClusterMetrics cluster(String bootstrap, String namespace, ClusterView directory, IngressMetrics metrics) {
    return new ClusterMetrics(bootstrap, namespace, Map.of(), directory, metrics.clusterWorkers, metrics.stageLag,
        metrics.dlqRecords);
  }

  private static dev.sluice.schemas.WorkerStatus heartbeat(String id, long at) {
    return dev.sluice.schemas.WorkerStatus.newBuilder().setWorkerId(id).setHost("box").setStage(0).setLayerStart(0)
        .setLayerEnd(5).setLanes(List.of(0)).setQueueDepth(0).setActiveSequences(0).setKvBlocksUsed(0)
        .setKvBlocksCapacity(10).setKvHits(0).setKvMisses(0).setRequestsServed(0)
        .setState(dev.sluice.schemas.WorkerState.READY).setModel("m").setTimestampMs(at).build();
  }

  private static double gauge(PrometheusRegistry registry, String name, Labels labels) {
    GaugeSnapshot snapshot = (GaugeSnapshot) registry.scrape(name::equals).stream().findFirst().orElseThrow();
    return snapshot.getDataPoints().stream().filter(d -> d.getLabels().equals(labels)).findFirst()
        .orElseThrow(() -> new AssertionError(name + labels + " absent")).getValue();
  }
}
