package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GroupIdsTest {
  @Test
  void shouldNameEveryGroupAndTransactionalIdFromThePrefix() {
    GroupIds groups = TopicLayout.defaults().withNamespace("acme").groupIds();
    assertThat(groups.stage(2)).isEqualTo("acme.stage-2").isEqualTo(TopicLayout.defaults().withNamespace("acme").withStages(3).stage(2));
    assertThat(groups.router()).isEqualTo("acme.router");
    assertThat(groups.ingress()).isEqualTo("acme.ingress");
    assertThat(groups.transactionalId(1, "host-w0")).isEqualTo("acme.stage-1.host-w0");
    assertThatThrownBy(() -> new GroupIds("bad prefix")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldCountTheStagesOfALayoutFromItsTopics() {
    var topics = new dev.sluice.schemas.topic.SluiceTopics("p");
    assertThat(TopicLayout.stagesAmong(java.util.Set.of("p.stage-0", "p.stage-1", "p.results", "q.stage-2"), topics)).isEqualTo(2);
    assertThat(TopicLayout.stagesAmong(java.util.Set.of("p.stage-1"), topics)).as("no stage-0: no layout").isZero();
  }
}
