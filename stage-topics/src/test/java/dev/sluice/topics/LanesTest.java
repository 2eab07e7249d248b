package dev.sluice.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.schemas.hash.BlockHasher;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LanesTest {

  @Test
  void shouldGiveANonNegativeLaneForNegativeHashes() {
    assertThat(Lanes.laneOf(-1L, 32)).isEqualTo(31); // 2^64 - 1 mod 32
    assertThat(Lanes.laneOf(Long.MIN_VALUE, 7)).isEqualTo(BigInteger.ONE.shiftLeft(63).mod(BigInteger.valueOf(7)).intValue());
  }

  @Test
  void shouldReadHashesAsUnsignedNumbersLikeOtherLanguages() {
    Random random = new Random(42);
    for (int i = 0; i < 1000; i++) {
      long hash = random.nextLong();
      int lanes = 1 + random.nextInt(100);
      int expected = new BigInteger(Long.toUnsignedString(hash)).mod(BigInteger.valueOf(lanes)).intValue();
      assertThat(Lanes.laneOf(hash, lanes)).isEqualTo(expected);
    }
  }

  @Test
  void shouldPlaceABlockHashByItsFirstEightBytes() {
    byte[] hash = new byte[16];
    new Random(7).nextBytes(hash);
    assertThat(Lanes.laneOf(hash, 32)).isEqualTo(Lanes.laneOf(BlockHasher.prefix64(hash), 32));
    byte[] other = hash.clone();
    other[15] ^= 1; // bytes after the first eight do not move the lane
    assertThat(Lanes.laneOf(other, 32)).isEqualTo(Lanes.laneOf(hash, 32));
  }

  @Test
  void shouldRejectLanesOutsideTheLaneCount() {
    assertThat(Lanes.requireValid(3, 4)).isEqualTo(3);
    assertThatThrownBy(() -> Lanes.requireValid(4, 4)).hasMessageContaining("outside 0..3");
    assertThatThrownBy(() -> Lanes.laneOf(5L, 0)).hasMessageContaining("positive");
  }
}
