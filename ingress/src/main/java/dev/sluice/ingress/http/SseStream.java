package dev.sluice.ingress.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One server-sent-events response, written off the HTTP threads: events are queued by whoever
 * produces them (the results consumer) and a writer task drains the queue in order, so a slow client
 * delays only its own stream and a waiting stream holds no thread. The headers are committed with
 * the first event. {@link #finished()} completes after the last event was written, or when the client
 * went away (a failed write; {@code onClientGone} is told once).
 */
public final class SseStream {
  /** Queued after the last frame: the stream ends there. */
  private static final Object END = new Object();

  private final Context ctx;
  private final Executor writers;
  private final Runnable onClientGone;
  private final ConcurrentLinkedQueue<Object> frames = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private volatile boolean started;
  private volatile boolean gone;
  private OutputStream out;

  public SseStream(Context ctx, Executor writers, Runnable onClientGone) {
    this.ctx = ctx;
    this.writers = writers;
    this.onClientGone = onClientGone;
  }

  /** True once an event was queued: the response is (about to be) committed as a 200 event stream. */
  public boolean started() {
    return started;
  }

  /** Queues {@code id: ID} (when not null) and {@code data: DATA}. */
  public void event(Integer id, String data) {
    started = true;
    frames.add((id == null ? "" : "id: " + id + "\n") + "data: " + data + "\n\n");
    drain();
  }

  /** Ends the stream after the queued events. */
  public void end() {
    frames.add(END);
    drain();
  }

  /** The client went away (seen by a probe): nothing more is written. */
  public void clientGone() {
    if (!gone) {
      gone = true;
      onClientGone.run();
    }
    finished.complete(null);
  }

  public boolean isClientGone() {
    return gone;
  }

  public CompletableFuture<Void> finished() {
    return finished;
  }

  private void drain() {
    if (draining.compareAndSet(false, true)) writers.execute(this::writeQueued);
  }

  private void writeQueued() {
    try {
      Object frame;
      boolean wrote = false;
      while ((frame = frames.poll()) != null) {
        if (frame == END) {
          if (wrote) out.flush();
          finished.complete(null);
          return;
        }
        if (!gone) {
          open();
          out.write(((String) frame).getBytes(StandardCharsets.UTF_8));
          wrote = true;
        }
      }
      if (wrote) out.flush();
    } catch (IOException | RuntimeException e) {
      clientGone();
    } finally {
      draining.set(false);
      if (!frames.isEmpty() && !finished.isDone()) drain();
    }
  }

  private void open() throws IOException {
    if (out != null) return;
    ctx.status(200);
    ctx.res().setContentType("text/event-stream");
    ctx.res().setCharacterEncoding("UTF-8");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("X-Accel-Buffering", "no"); // tell proxies not to buffer the stream
    out = ctx.res().getOutputStream();
  }
}
