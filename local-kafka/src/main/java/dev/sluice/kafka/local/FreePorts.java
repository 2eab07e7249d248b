package dev.sluice.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports on {@link BrokerProperties#HOST}, and telling a failure to bind one. */
final class FreePorts {
  private FreePorts() {}

  /** A port free now; another process may take it before the broker binds it. */
  static int pick() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(BrokerProperties.HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + BrokerProperties.HOST, e);
    }
  }

  static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) return true;
      if (t.getMessage() != null && t.getMessage().contains("Address already in use")) return true;
      if (t.getCause() == t) break;
    }
    return false;
  }
}
