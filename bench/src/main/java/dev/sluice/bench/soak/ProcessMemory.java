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
 * Map pages, metaspace, thread stacks, direct buffers. Of those, the pages of the block-cache files
 * ({@code *.cmap}, from {@code /proc/self/smaps}) are told apart: they grow until each worker's cache
 * holds its budget ({@code kv_cache_mb}), by design, and then stay.
 */
record ProcessMemory(long rssBytes, long heapUsedBytes, long heapCommittedBytes, long directBytes, long blockCacheFileBytes) {

  /** The first line of a mapping in smaps: "address-address perms offset dev inode [path]". */
  private static final java.util.regex.Pattern MAPPING = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

  static ProcessMemory now() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    return new ProcessMemory(rss(), heap.getUsed(), heap.getCommitted(), direct, residentOfFiles(".cmap"));
  }


  /** Resident bytes outside the committed heap. */
  long nativeBytes() {
    return rssBytes < 0 ? -1 : Math.max(0, rssBytes - heapCommittedBytes);
  }

  /** Rss of the mappings of files whose name ends with {@code suffix}; -1 without /proc/self/smaps. */
  private static long residentOfFiles(String suffix) {
    try (var lines = Files.lines(Path.of("/proc/self/smaps"))) {
      long[] sum = {0};
      boolean[] inFile = {false};
      lines.forEach(line -> {
        if (MAPPING.matcher(line).lookingAt()) {
          inFile[0] = line.endsWith(suffix); // "7f..-7f.. rw-s 00000000 08:01 1234  /data/w0/kv-….cmap"
        } else if (inFile[0] && line.startsWith("Rss:")) {
          sum[0] += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
        }
      });
      return sum[0];
    } catch (IOException | RuntimeException e) {
      return -1;
    }
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
