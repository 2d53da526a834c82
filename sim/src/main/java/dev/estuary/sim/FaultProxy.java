package dev.estuary.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP proxy on loopback in front of the servers, one virtual thread per direction of a
 * connection. It is the fleet's load balancer: each new connection goes to the next live backend
 * round-robin (a backend that refuses is skipped, as a TCP load balancer's health check would), and
 * the scenario's network faults happen here, to a fraction of the new connections while in force:
 *
 * <ul>
 *   <li>{@code refuse}: the connection is accepted and closed at once with a reset (RST), before a
 *       byte is read: what a client sees of a refused or dropped connection;
 *   <li>{@code reset}: the connection is passed on, then reset after the first answer bytes (in the
 *       middle of the TLS handshake);
 *   <li>{@code slow}: every chunk in both directions is held for a delay.
 * </ul>
 */
final class FaultProxy implements AutoCloseable {
  enum Mode {
    REFUSE,
    RESET,
    SLOW
  }

  /** A fault in force until {@code until} for {@code fraction} of new connections. */
  record Fault(Mode mode, double fraction, Duration delay, Instant until) {}

  private final ServerSocket listener;
  private final List<InetSocketAddress> backends = new CopyOnWriteArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Fault fault;
  private volatile boolean closed;
  final LongAdder connections = new LongAdder();
  final LongAdder faulted = new LongAdder();
  final LongAdder noBackend = new LongAdder();

  FaultProxy(List<InetSocketAddress> backends) throws IOException {
    this.backends.addAll(backends);
    listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().name("sim-proxy-accept").daemon().start(this::acceptLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  void setBackends(List<InetSocketAddress> list) {
    backends.clear();
    backends.addAll(list);
  }

  void inject(Fault f) {
    fault = f;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      connections.increment();
      Thread.startVirtualThread(() -> handle(client));
    }
  }

  private Fault faultFor() {
    Fault f = fault;
    if (f == null || Instant.now().isAfter(f.until())) {
      return null;
    }
    return ThreadLocalRandom.current().nextDouble() < f.fraction() ? f : null;
  }

  private void handle(Socket client) {
    Fault f = faultFor();
    if (f != null) {
      faulted.increment();
    }
    if (f != null && f.mode() == Mode.REFUSE) {
      reset(client);
      return;
    }
    Socket server = connectToBackend();
    if (server == null) {
      noBackend.increment();
      reset(client);
      return;
    }
    open.add(client);
    open.add(server);
    Duration delay = f != null && f.mode() == Mode.SLOW ? f.delay() : Duration.ZERO;
    boolean resetAfterFirst = f != null && f.mode() == Mode.RESET;
    Thread up = Thread.startVirtualThread(() -> pump(client, server, delay, false));
    pump(server, client, delay, resetAfterFirst);
    try {
      up.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.remove(client);
    open.remove(server);
    closeQuietly(client);
    closeQuietly(server);
  }

  private Socket connectToBackend() {
    int n = backends.size();
    for (int i = 0; i < n; i++) {
      List<InetSocketAddress> list = backends;
      if (list.isEmpty()) {
        return null;
      }
      InetSocketAddress a = list.get(Math.floorMod(next.getAndIncrement(), list.size()));
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(a, 2000);
        return s;
      } catch (IOException e) {
        closeQuietly(s);
      }
    }
    return null;
  }

  private void pump(Socket from, Socket to, Duration delay, boolean resetAfterFirst) {
    byte[] buf = new byte[16384];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int r;
      while ((r = in.read(buf)) >= 0) {
        if (!delay.isZero()) {
          Thread.sleep(delay.toMillis());
        }
        if (resetAfterFirst) {
          reset(to);
          reset(from);
          return;
        }
        out.write(buf, 0, r);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // One side broke (a killed server, a reset): the other side sees a reset too.
      reset(to);
      reset(from);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reset(to);
      reset(from);
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException e) {
      // already closed
    }
    closeQuietly(s);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }
}
