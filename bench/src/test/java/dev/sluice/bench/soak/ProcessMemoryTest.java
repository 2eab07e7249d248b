package dev.sluice.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryTest {
  @Test
  void shouldCountTheResidentPagesOfMappedBlockCacheFilesApart(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/self/smaps")), "Linux only");
    long before = ProcessMemory.now().blockCacheFileBytes();
    int size = 8 << 20;
    try (FileChannel file = FileChannel.open(dir.resolve("kv-test.cmap"), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      MappedByteBuffer pages = file.map(FileChannel.MapMode.READ_WRITE, 0, size);
      for (int at = 0; at < size; at += 4096) pages.put(at, (byte) 1); // every page resident
      ProcessMemory now = ProcessMemory.now();
      assertThat(now.blockCacheFileBytes() - before).isGreaterThanOrEqualTo(size);
      assertThat(now.rssBytes()).isGreaterThan(now.blockCacheFileBytes());
    }
  }
}
