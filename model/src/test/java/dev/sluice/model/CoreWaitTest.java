package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoreWaitTest {
  @Test
  void shouldReadTheWaitFieldOfASchedstatLine() {
    assertThat(CoreWait.waitNanos("830626 1234 1\n")).isEqualTo(1234);
    assertThat(CoreWait.waitNanos("830626 98765")).isEqualTo(98765);
    assertThat(CoreWait.waitNanos("830626")).isZero();
    assertThat(CoreWait.waitNanos("830626 x 1")).isZero();
  }
}
