package dev.estuary.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or greedy clients from holding the listeners: a connection must deliver a complete
 * request head within {@code headerTimeout} of opening (or of its previous answer), a request must
 * be answered within {@code requestTimeout} (a body trickled one byte at a time included), and one
 * client address holds at most {@code maxPerAddress} connections at once. The idle timeout alone
 * does not do it: one byte every few seconds keeps a connection "active" for ever. Connections over
 * a limit are closed; nothing is answered to them.
 */
public final class SlowClientGuard implements Connection.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);

  /** The limits; a zero duration or count turns that limit off. */
  public record Limits(Duration headerTimeout, Duration requestTimeout, int maxPerAddress) {
    public static final Limits DEFAULT =
        new Limits(Duration.ofSeconds(20), Duration.ofSeconds(60), 256);
  }

  private final Limits limits;
  private final ScheduledExecutorService watchdog;
  private final Map<Connection, State> connections = new ConcurrentHashMap<>();
  private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();

  /** One HTTP connection: since when it waits for a request head, or is serving one. */
  private static final class State {
    volatile long since = System.nanoTime();
    volatile boolean serving;
  }

  public SlowClientGuard(Limits limits) {
    this.limits = limits;
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "estuary-slow-client-guard");
              t.setDaemon(true);
              return t;
            });
    long smallest =
        Math.min(
            positiveOr(limits.headerTimeout(), Long.MAX_VALUE),
            positiveOr(limits.requestTimeout(), Long.MAX_VALUE));
    if (smallest != Long.MAX_VALUE) {
      long period = Math.max(100, Math.min(1000, smallest / 4));
      watchdog.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }
  }

  private static long positiveOr(Duration d, long otherwise) {
    return d == null || d.isZero() || d.isNegative() ? otherwise : d.toMillis();
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof SslConnection) {
      // The network connection (one per socket): count it against its address.
      InetAddress address = address(connection.getEndPoint().getRemoteSocketAddress());
      if (address == null || limits.maxPerAddress() <= 0) {
        return;
      }
      int n = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
      counted.put(connection, address);
      if (n > limits.maxPerAddress()) {
        LOG.warn(
            "closing a connection from {}: it has {} open, at most {} are allowed per address",
            address.getHostAddress(),
            n - 1,
            limits.maxPerAddress());
        connection.getEndPoint().close();
      }
    } else {
      connections.put(connection, new State());
    }
  }

  @Override
  public void onClosed(Connection connection) {
    connections.remove(connection);
    InetAddress address = counted.remove(connection);
    if (address != null) {
      perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /**
   * Marks the request's connection as serving until {@code callback} completes, then as waiting for
   * its next request head.
   *
   * @return the callback to complete the request with
   */
  public Callback serving(Request request, Callback callback) {
    State state = connections.get(request.getConnectionMetaData().getConnection());
    if (state == null) {
      return callback;
    }
    state.since = System.nanoTime();
    state.serving = true;
    return Callback.from(
        callback,
        () -> {
          state.since = System.nanoTime();
          state.serving = false;
        });
  }

  /** Connections open from {@code address} now (for tests and metrics). */
  public int openFrom(InetAddress address) {
    AtomicInteger n = perAddress.get(address);
    return n == null ? 0 : n.get();
  }

  private void sweep() {
    long now = System.nanoTime();
    long header = positiveOr(limits.headerTimeout(), Long.MAX_VALUE);
    long request = positiveOr(limits.requestTimeout(), Long.MAX_VALUE);
    connections.forEach(
        (connection, state) -> {
          long waited = TimeUnit.NANOSECONDS.toMillis(now - state.since);
          boolean late = state.serving ? waited > request : waited > header;
          if (late) {
            connections.remove(connection);
            LOG.info(
                "closing a connection from {}: {} not complete after {} ms",
                describe(connection.getEndPoint().getRemoteSocketAddress()),
                state.serving ? "its request was" : "no request head was",
                waited);
            closeSocket(connection);
          }
        });
  }

  /**
   * Closes the connection's socket itself, not the HTTP connection: closing that would let Jetty
   * answer the cut request (a 500 for the handler's failed read) before it closes.
   */
  static void closeSocket(Connection connection) {
    EndPoint endPoint = connection.getEndPoint();
    if (endPoint instanceof SslConnection.SslEndPoint ssl) {
      endPoint = ssl.getSslConnection().getEndPoint();
    }
    endPoint.close();
  }

  private static InetAddress address(SocketAddress a) {
    return a instanceof InetSocketAddress i ? i.getAddress() : null;
  }

  private static String describe(SocketAddress a) {
    InetAddress address = address(a);
    return address == null ? String.valueOf(a) : address.getHostAddress();
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
  }
}
