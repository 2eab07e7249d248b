package dev.sluice.ingress.http;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Probes the connections of waiting requests every {@link #PERIOD} on one timer thread and tells a
 * request once its client went away ({@link ClientConnection#isClosed()}).
 */
public final class DisconnectWatch implements AutoCloseable {
  public static final Duration PERIOD = Duration.ofMillis(100);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sluice-ingress-disconnects");
    t.setDaemon(true);
    return t;
  });

  /** One watched connection; {@link #stop()} before the response completes. */
  public final class Watch {
    private final ClientConnection connection;
    private final Runnable onClosed;
    private ScheduledFuture<?> task;
    private boolean stopped;

    private Watch(ClientConnection connection, Runnable onClosed) {
      this.connection = connection;
      this.onClosed = onClosed;
    }

    private void probe() {
      boolean closed;
      synchronized (this) {
        if (stopped) return;
        closed = connection.isClosed();
        if (closed) stop();
      }
      if (closed) onClosed.run();
    }

    /** No probe runs after this returns. */
    public synchronized void stop() {
      stopped = true;
      if (task != null) task.cancel(false);
    }

    public boolean pipelined() {
      return connection.pipelined();
    }
  }

  public Watch watch(ClientConnection connection, Runnable onClosed) {
    Watch w = new Watch(connection, onClosed);
    synchronized (w) {
      w.task = timer.scheduleWithFixedDelay(w::probe, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }
    return w;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
