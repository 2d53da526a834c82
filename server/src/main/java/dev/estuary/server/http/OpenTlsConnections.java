package dev.estuary.server.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;

/**
 * Counts the TLS connections of a listener open now (its {@link SslConnection}s: the HTTP
 * connection on top of each is not counted again), and their handshakes, full or resumed, for the
 * metrics.
 *
 * <p>A handshake resumed a session when the session is older than the connection: a full handshake
 * makes its session during the handshake, a resumed one (a TLS 1.3 ticket) carries the time its
 * session was first made.
 */
final class OpenTlsConnections implements Connection.Listener {
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder full = new LongAdder();
  private final LongAdder resumed = new LongAdder();

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof SslConnection ssl) {
      open.incrementAndGet();
      long opened = ssl.getEndPoint().getCreatedTimeStamp();
      ssl.addHandshakeListener(
          new SslHandshakeListener() {
            @Override
            public void handshakeSucceeded(Event event) {
              if (event.getSSLEngine().getSession().getCreationTime() < opened) {
                resumed.increment();
              } else {
                full.increment();
              }
            }
          });
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

  /** Handshakes completed so far: resumed ones, or full ones. */
  long handshakes(boolean resumedOnes) {
    return (resumedOnes ? resumed : full).sum();
  }
}
