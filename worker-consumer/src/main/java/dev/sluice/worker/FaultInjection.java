package dev.sluice.worker;

/**
 * Failures a test can cause inside a real worker, where nothing outside the process can cause them
 * on demand (a transaction the broker refuses, a compute thread that dies). Production code passes
 * {@link #NONE}.
 */
public interface FaultInjection {
  FaultInjection NONE = new FaultInjection() {};

  /** Asked before each transaction commits; true makes it fail (and be aborted and re-run). */
  default boolean failTransaction() {
    return false;
  }

  /** Asked after each step; true makes the compute thread die with an error. */
  default boolean killComputeThread() {
    return false;
  }
}
