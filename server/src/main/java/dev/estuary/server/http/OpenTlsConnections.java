package dev.estuary.server.http;

import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;

/**
 * Counts the TLS connections of a listener open now (its {@link SslConnection}s: the HTTP
 * connection on top of each is not counted again), for the metrics.
 */
final class OpenTlsConnections implements Connection.Listener {
  private final AtomicInteger open = new AtomicInteger();

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof SslConnection) {
      open.incrementAndGet();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof SslConnection) {
      open.decrementAndGet();
    }
  }

  int open() {
    return open.get();
  }
}
