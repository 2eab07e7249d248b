package dev.sluice.ingress.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Notices that the HTTP client of a waiting request closed its connection. Jetty 11 does not read a
 * connection while its request is being handled asynchronously, so a client that goes away is seen
 * only at the next write; a non-streaming request writes nothing until the end. {@link #isClosed()}
 * reads the connection itself, without blocking: end of stream means the client is gone. (The body
 * has been read by then; a client that pipelines its next request on the same connection would lose
 * it, so the answer then says {@code Connection: close}.) Stop probing before the response completes,
 * because Jetty reads the connection again afterwards.
 */
public final class ClientConnection {
  private final EndPoint endPoint;
  private volatile boolean pipelined;

  private ClientConnection(EndPoint endPoint) {
    this.endPoint = endPoint;
  }

  public static ClientConnection of(Context ctx) {
    Request base = Request.getBaseRequest(ctx.req());
    return new ClientConnection(base == null ? null : base.getHttpChannel().getEndPoint());
  }

  /** True once the client closed its side of the connection (or the connection is gone). */
  public boolean isClosed() {
    if (endPoint == null) return false;
    if (!endPoint.isOpen() || endPoint.isInputShutdown()) return true;
    try {
      ByteBuffer buffer = BufferUtil.allocate(64);
      int n = endPoint.fill(buffer);
      if (n > 0) pipelined = true;
      return n < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** The client sent bytes of a further request while this one waited: answer, then close. */
  public boolean pipelined() {
    return pipelined;
  }
}
