package dev.sluice.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the JVM itself spent: JIT compiler time and garbage-collection time (milliseconds, summed over
 * the JVM's threads), and the wall clock. {@link #now()} is a reading; {@link #since} the stretch
 * between two readings. The sides of a comparison share the JVM, so a round that pays for the compiler
 * — compiling the embedded broker's and the clients' code — shows it.
 *
 * @param wallMs a reading: the epoch milliseconds it was taken at; a stretch: its length
 */
public record JvmActivity(long compileMs, long gcMs, long wallMs) {
  public static JvmActivity now() {
    var compiler = ManagementFactory.getCompilationMXBean();
    long compile = compiler != null && compiler.isCompilationTimeMonitoringSupported()
        ? compiler.getTotalCompilationTime() : 0;
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, b.getCollectionTime());
    }
    return new JvmActivity(compile, gc, System.currentTimeMillis());
  }

  /** The stretch from the reading {@code start} to this one. */
  public JvmActivity since(JvmActivity start) {
    return new JvmActivity(compileMs - start.compileMs, gcMs - start.gcMs, wallMs - start.wallMs);
  }

  /** Of a stretch: the share of the machine's cores over it that the compiler took. */
  public double compileShare() {
    return compileMs / (double) Math.max(1, wallMs * (long) Runtime.getRuntime().availableProcessors());
  }
}
