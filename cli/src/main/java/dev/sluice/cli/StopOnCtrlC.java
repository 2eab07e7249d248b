package dev.sluice.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Ctrl-C for a command that serves until asked to stop: the JVM's shutdown hook counts down the
 * command's stop latch and then waits until the command has stopped cleanly ({@link #close()}), so
 * the JVM exits only after the drain. Open it first in a try-with-resources: it closes last, after
 * what it guards. Closed without Ctrl-C, it removes its hook again.
 */
final class StopOnCtrlC implements AutoCloseable {
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;

  StopOnCtrlC(String threadName, CountDownLatch stopRequested) {
    hook = new Thread(() -> {
      stopRequested.countDown();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, threadName);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    stopped.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already exiting (Ctrl-C): the hook is running, nothing to remove.
    }
  }
}
