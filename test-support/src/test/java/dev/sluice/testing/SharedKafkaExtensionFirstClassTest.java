package dev.sluice.testing;

import dev.sluice.kafka.local.KafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One of two classes that must get the same broker from {@link SharedKafkaExtension}. */
@ExtendWith(SharedKafkaExtension.class)
class SharedKafkaExtensionFirstClassTest {

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

  @Test
  void shouldGiveUniquePrefixes() {
    assertThat(SharedKafkaExtension.uniquePrefix("p")).isNotEqualTo(SharedKafkaExtension.uniquePrefix("p"))
        .matches("[a-zA-Z0-9._-]+");
  }
}
