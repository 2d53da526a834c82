package dev.estuary.server.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool as the stores see it: while the database is known to be unreachable, a request for a
 * connection fails at once instead of waiting {@link Database#CONNECTION_TIMEOUT} for the pool to
 * give up, and one request at a time tries the database again.
 *
 * <p>Why: with the database gone, every request the pool cannot serve waits the whole connection
 * timeout before it is answered 503 (three seconds), holding a store worker that long, so the
 * requests behind it wait longer still; a device learns "try again later" seconds late and its next
 * attempt comes seconds later too. Measured with the fleet simulator's database outage
 * (docs/reliability.md).
 *
 * <p>How: the first connection request that fails for a reason {@link StoreUnavailable} recognizes
 * marks the database unreachable. From then on, one request at a time (the probe), and none within
 * {@link #PAUSE} of the last failure, goes to the pool and waits as before; every other fails at
 * once with a {@link SQLTransientConnectionException} (SQLSTATE 08001, so it is answered 503 like
 * the pool's own timeout) naming the failure seen. The first probe that gets a connection marks the
 * database reachable again. So while requests keep coming, a returning database is noticed within
 * the pause and one connection timeout (4 s); and a probe is a request like any other, so nothing
 * is tried in the background when nobody asks.
 *
 * <p>Failures after a connection was handed out (a statement on a connection the database closed)
 * do not mark it: the pool discards that connection, and the next connection request tells.
 */
public final class FailFastDataSource implements DataSource {
  /** After a connection request found the database unreachable, the pause before the next try. */
  static final Duration PAUSE = Duration.ofSeconds(1);

  private final DataSource pool;
  private final LongSupplier nanoTime;
  private final AtomicReference<Unreachable> unreachable = new AtomicReference<>();
  private final AtomicBoolean probing = new AtomicBoolean();
  private volatile long nextProbeNanos;
  private final LongAdder refused = new LongAdder();

  /** Since when ({@link #nanoTime}) and why the database is unreachable. */
  private record Unreachable(long sinceNanos, String why) {}

  public FailFastDataSource(DataSource pool) {
    this(pool, System::nanoTime);
  }

  FailFastDataSource(DataSource pool, LongSupplier nanoTime) {
    this.pool = pool;
    this.nanoTime = nanoTime;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Unreachable down = unreachable.get();
    if (down == null) {
      return tried();
    }
    long now = nanoTime.getAsLong();
    if (now - nextProbeNanos < 0 || !probing.compareAndSet(false, true)) {
      refused.increment();
      throw new SQLTransientConnectionException(
          "the database has been unreachable for "
              + seconds(now - down.sinceNanos())
              + " s ("
              + down.why()
              + "); not tried again for this request",
          "08001");
    }
    try {
      return tried();
    } finally {
      probing.set(false);
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the pool's connections have one user");
  }

  /** A connection from the pool; a failure that says the database is unreachable marks it. */
  private Connection tried() throws SQLException {
    Connection c;
    try {
      c = pool.getConnection();
    } catch (SQLException | RuntimeException e) {
      if (StoreUnavailable.isCause(e)) {
        long now = nanoTime.getAsLong();
        nextProbeNanos = now + PAUSE.toNanos();
        unreachable.compareAndSet(null, new Unreachable(now, StoreUnavailable.describe(e)));
      }
      throw e;
    }
    if (unreachable.get() != null) {
      unreachable.set(null);
    }
    return c;
  }

  /** Whether the database is taken as unreachable now (connection requests fail fast). */
  public boolean unreachable() {
    return unreachable.get() != null;
  }

  /** Connection requests refused at once, without trying the pool, since the start. */
  public long refusedWithoutTrying() {
    return refused.sum();
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || pool.isWrapperFor(iface);
  }
}
