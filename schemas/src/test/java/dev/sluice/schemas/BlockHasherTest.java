package dev.sluice.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.schemas.hash.BlockHasher;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockHasherTest {
  private static int[] range(int from, int toInclusive) {
    int[] t = new int[toInclusive - from + 1];
    for (int i = 0; i < t.length; i++) t[i] = from + i;
    return t;
  }

  @Test
  void shouldMatchTheDefinitionComputedIndependently() {
    // Expected values computed with Python's hashlib from the definition in BlockHasher's Javadoc.
    List<byte[]> hashes = new BlockHasher("stories260K", null, 16).hashes(range(1, 32));
    assertThat(hashes).extracting(BlockHasher::hex)
        .containsExactly("e601472c4c9846acbb836beeccde2aed", "34decf7b01931c66d11aa4f1cd25e16f");
    assertThat(BlockHasher.hex(new BlockHasher("stories260K", "tenant-a", 16).hashes(range(1, 16)).get(0)))
        .isEqualTo("19b6c12184809c5ccc946e5f95beb30a");
  }

  @Test
  void shouldShareHashesExactlyAsLongAsPrefixesAgree() {
    BlockHasher hasher = new BlockHasher("m", null, 4);
    int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    int[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99};
    List<byte[]> ha = hasher.hashes(a);
    List<byte[]> hb = hasher.hashes(b);
    assertThat(ha).hasSize(3); // only full blocks
    assertThat(hb).hasSize(3);
    assertThat(ha.get(0)).isEqualTo(hb.get(0));
    assertThat(ha.get(1)).isEqualTo(hb.get(1));
    assertThat(ha.get(2)).isNotEqualTo(hb.get(2));
  }

  @Test
  void shouldSeparateModelsAndSalts() {
    int[] t = range(1, 16);
    byte[] plain = new BlockHasher("m", null, 16).hashes(t).get(0);
    assertThat(new BlockHasher("other", null, 16).hashes(t).get(0)).isNotEqualTo(plain);
    assertThat(new BlockHasher("m", "salt", 16).hashes(t).get(0)).isNotEqualTo(plain);
    assertThat(new BlockHasher("m", "", 16).hashes(t).get(0)).isEqualTo(plain);
  }
}
