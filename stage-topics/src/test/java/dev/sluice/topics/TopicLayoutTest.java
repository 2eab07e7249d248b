package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicLayoutTest {

  @Test
  void shouldDeriveEveryNameFromThePrefix() {
    TopicLayout layout = TopicLayout.defaults().withNamespace("acme").withStages(3);

    assertThat(layout.requests()).isEqualTo("acme.requests");
    assertThat(layout.stageTopics()).containsExactly("acme.stage-0", "acme.stage-1", "acme.stage-2");
    assertThat(layout.results()).isEqualTo("acme.results");
    assertThat(layout.workers()).isEqualTo("acme.workers");
    assertThat(layout.kvEvents()).isEqualTo("acme.kv-events");
    assertThat(layout.dlq()).isEqualTo("acme.dlq");
    assertThat(layout.allTopics()).extracting(TopicSpec::name).containsExactly(
        "acme.requests", "acme.stage-0", "acme.stage-1", "acme.stage-2",
        "acme.results", "acme.workers", "acme.kv-events", "acme.dlq", "acme.cancels");
  }

  @Test
  void shouldUseDesignDefaults() {
    TopicLayout layout = TopicLayout.defaults();

    assertThat(layout.namespace()).isEqualTo("sluice");
    assertThat(layout.lanes()).isEqualTo(32);
    assertThat(layout.maxMessageBytes()).isEqualTo(32 * 1024 * 1024);
    assertThat(layout.registry().stage(1).name()).isEqualTo(layout.stage(1));
  }

  @Test
  void shouldGiveEveryStageTopicTheLaneCountAndEveryTopicAnExplicitSizeLimit() {
    TopicLayout layout = TopicLayout.defaults().withStages(4).withLanes(12).withMaxMessageBytes(5_000_000);

    for (TopicSpec spec : layout.allTopics()) {
      assertThat(spec.configs()).containsEntry("max.message.bytes", "5000000");
      if (spec.name().contains(".stage-")) assertThat(spec.partitions()).isEqualTo(12);
    }
    TopicSpec workers = layout.allTopics().stream().filter(s -> s.name().equals(layout.workers())).findFirst().orElseThrow();
    assertThat(workers.configs()).containsEntry("cleanup.policy", "compact");
    assertThat(workers.configs()).doesNotContainKey("retention.ms");
  }

  @Test
  void shouldMatchProducerAndConsumerSizesToTheTopics() {
    TopicLayout layout = TopicLayout.defaults().withMaxMessageBytes(48 * 1024 * 1024);

    assertThat(layout.producerSizeProps()).containsEntry("max.request.size", 48 * 1024 * 1024);
    assertThat((Long) layout.producerSizeProps().get("buffer.memory")).isGreaterThanOrEqualTo(48L * 1024 * 1024);
    assertThat(layout.consumerSizeProps()).containsEntry("max.partition.fetch.bytes", 48 * 1024 * 1024);
  }

  @Test
  void shouldRejectInvalidLayouts() {
    TopicLayout layout = TopicLayout.defaults();
    for (Runnable bad : List.<Runnable>of(
        () -> layout.withNamespace("has space"),
        () -> layout.withStages(0),
        () -> layout.withLanes(0),
        () -> layout.withReplicationFactor((short) 0),
        () -> layout.withRetentionMs(0),
        () -> layout.withMaxMessageBytes(10))) {
      assertThatThrownBy(bad::run).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> layout.stage(2)).hasMessageContaining("outside 0..1");
  }
}
