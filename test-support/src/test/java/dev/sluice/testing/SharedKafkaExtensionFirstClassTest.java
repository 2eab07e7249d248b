package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One of two classes that must get the same broker from {@link SharedKafkaExtension}. */
class SharedKafkaExtensionFirstClassTest extends SharedBrokerCheck {

  @Test
  void shouldGiveUniquePrefixes() {
    assertThat(SharedKafkaExtension.uniquePrefix("p")).isNotEqualTo(SharedKafkaExtension.uniquePrefix("p"))
        .matches("[a-zA-Z0-9._-]+");
  }
}
