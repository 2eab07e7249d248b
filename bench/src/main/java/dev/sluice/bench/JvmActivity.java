package dev.sluice.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the JVM itself spent during a stretch of a run: JIT compiler time and garbage-collection time
 * (milliseconds, summed over the JVM's threads). The sides of a comparison share the JVM, so a round
 * that pays for the compiler — compiling the embedded broker's and the clients' code — shows it.
 */
public record JvmActivity(long compileMs, long gcMs) {
  public static JvmActivity now() {
    var compiler = ManagementFactory.getCompilationMXBean();
    long compile = compiler != null && compiler.isCompilationTimeMonitoringSupported()
        ? compiler.getTotalCompilationTime() : 0;
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, b.getCollectionTime());
    }
    return new JvmActivity(compile, gc);
  }

  /** What was spent since {@code start}. */
  public JvmActivity since(JvmActivity start) {
    return new JvmActivity(compileMs - start.compileMs, gcMs - start.gcMs);
  }

  /** Share of {@code wallMs} × {@code cores} the compiler took. */
  public double compileShare(long wallMs, int cores) {
    return compileMs / (double) Math.max(1, wallMs * (long) cores);
  }
}
