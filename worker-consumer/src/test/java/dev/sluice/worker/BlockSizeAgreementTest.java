package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.topics.cluster.BlockSizeAgreement;
import dev.sluice.topics.cluster.ClusterView;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker or router whose block_size differs from a live worker's fails at start, naming both values. */
@ExtendWith(SharedKafkaExtension.class)
class BlockSizeAgreementTest {

  @Test
  void shouldRefuseToStartWithAnotherBlockSizeThanALiveWorker() throws Exception {
    try (PipelineFixture f = new PipelineFixture("block-size", 2)) {
      StageWorker w0 = f.start(f.settings(0, "0-2", f.namespace + "-w0"));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(w0::isReady);
      // the check counts READY heartbeats only: wait for that one, not w0's first (STARTING) heartbeat
      try (ClusterView cluster = ClusterView.read(Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers()),
          "block-size-test", f.topics, ClusterView.DEFAULT_STALE_AFTER, ClusterView.DEFAULT_FORGET_AFTER)) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cluster.snapshot().live().stream()
            .anyMatch(w -> w.getWorkerId().equals(w0.workerId())));
      }

      assertThatThrownBy(() -> f.start(f.settings(1, "3-4", f.namespace + "-w1").withBlockSize(32)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'block_size' is 32").hasMessageContaining(w0.workerId())
          .hasMessageContaining("blocks of 16 tokens");
      // the router's check at start is the same one
      assertThatThrownBy(() -> BlockSizeAgreement.require("router setting", 8, "", f.topics,
          Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers())))
          .hasMessageContaining("router setting 'block_size' is 8").hasMessageContaining("blocks of 16 tokens");
    }
  }
}
