package dev.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LayerRangeTest {
  @Test
  void shouldParseInclusiveRangesAsOnTheCommandLine() {
    assertThat(LayerRange.parse("0-2")).isEqualTo(new LayerRange(0, 3));
    assertThat(LayerRange.parse("4")).isEqualTo(new LayerRange(4, 5));
    assertThat(LayerRange.parse("0-2").toString()).isEqualTo("0-2");
    assertThat(LayerRange.parse("3-4").size()).isEqualTo(2);
  }

  @Test
  void shouldRejectMalformedRanges() {
    assertThatThrownBy(() -> LayerRange.parse("3-1")).hasMessageContaining("ends before it starts");
    assertThatThrownBy(() -> LayerRange.parse("a-b")).hasMessageContaining("A-B");
  }

  @Test
  void shouldSplitLayersEvenlyWithEarlierStagesLarger() {
    assertThat(LayerRange.split(5, 2)).containsExactly(new LayerRange(0, 3), new LayerRange(3, 5));
    assertThat(LayerRange.split(12, 4)).extracting(LayerRange::size).containsExactly(3, 3, 3, 3);
  }
}
