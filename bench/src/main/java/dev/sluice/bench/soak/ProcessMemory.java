package dev.sluice.bench.soak;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This JVM's memory as the operating system and the JVM see it: resident set size (Linux
 * {@code /proc/self/status} VmRSS; -1 elsewhere), heap used and committed, direct buffers. What is
 * resident beyond the committed heap is native: PyTorch tensors (weights, hot KV), mapped Chronicle
 * Map pages, metaspace, thread stacks, direct buffers.
 */
record ProcessMemory(long rssBytes, long heapUsedBytes, long heapCommittedBytes, long directBytes) {

  static ProcessMemory now() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    return new ProcessMemory(rss(), heap.getUsed(), heap.getCommitted(), direct);
  }

  /** Resident bytes outside the committed heap. */
  long nativeBytes() {
    return rssBytes < 0 ? -1 : Math.max(0, rssBytes - heapCommittedBytes);
  }

  private static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) { // "VmRSS:   123456 kB"
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no RSS
    }
    return -1;
  }
}
