package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.local.KafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The check each of two test classes runs: the broker {@link SharedKafkaExtension} gives it is the
 * one every class got (recorded in {@link SharedBrokerRegistry}), and it serves.
 */
@ExtendWith(SharedKafkaExtension.class)
abstract class SharedBrokerCheck {

  @Test
  void shouldShareOneBrokerAcrossTestClasses(KafkaBroker kafka) throws Exception {
    SharedBrokerRegistry.SEEN.add(kafka);
    assertThat(SharedBrokerRegistry.SEEN).hasSize(1);
    assertThat(SharedKafkaExtension.bootstrapServers()).isEqualTo(kafka.bootstrapServers());

    String topic = SharedKafkaExtension.uniquePrefix("shared") + ".t";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafkaExtension.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
    }
  }
}
