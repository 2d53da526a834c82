package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@link FailFastDataSource} in front of a scripted pool (each connection request takes the next
 * answer of a script): which requests reach the pool while the database is unreachable.
 */
class FailFastDataSourceTest {
  private static final Connection CONNECTION =
      (Connection)
          Proxy.newProxyInstance(
              FailFastDataSourceTest.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> null);

  private static final SQLException REFUSED =
      new SQLTransientConnectionException(
          "estuary-db - Connection is not available, request timed out after 3000ms",
          "08001",
          new SQLException("Connection to 127.0.0.1:5432 refused", "08001"));

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void afterAConnectionRequestFoundTheDatabaseUnreachableTheNextFailsWithoutTryingThePool()
      throws Exception {
    ScriptedPool pool = new ScriptedPool().failing(REFUSED).failing(REFUSED);
    FailFastDataSource ds = new FailFastDataSource(pool, nanos::get);

    assertThatThrownBy(ds::getConnection).isSameAs(REFUSED);
    assertThat(ds.unreachable()).isTrue();

    nanos.addAndGet(FailFastDataSource.PAUSE.toNanos() - 1);
    assertThatThrownBy(ds::getConnection)
        .isInstanceOf(SQLTransientConnectionException.class)
        .hasMessageContaining("the database has been unreachable for 1.0 s")
        .hasMessageContaining("Connection to 127.0.0.1:5432 refused");
    assertThat(pool.calls()).isEqualTo(1);
    assertThat(ds.refusedWithoutTrying()).isEqualTo(1);

    // after the pause the next request is the probe: it tries the pool (and fails like the first)
    nanos.addAndGet(1);
    assertThatThrownBy(ds::getConnection).isSameAs(REFUSED);
    assertThat(pool.calls()).isEqualTo(2);
    assertThat(ds.unreachable()).isTrue();
  }

  @Test
  void whileOneRequestTriesTheUnreachableDatabaseTheOthersFailAtOnceAs503Material()
      throws Exception {
    CountDownLatch probing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ScriptedPool pool =
        new ScriptedPool()
            .failing(REFUSED)
            .blockingThen(probing, release, CONNECTION)
            .answering(CONNECTION);
    FailFastDataSource ds = new FailFastDataSource(pool, nanos::get);
    assertThatThrownBy(ds::getConnection).isSameAs(REFUSED);
    nanos.addAndGet(FailFastDataSource.PAUSE.toNanos());

    CompletableFuture<Connection> probe =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return ds.getConnection();
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(probing.await(10, TimeUnit.SECONDS)).isTrue();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(ds::getConnection)
          .isInstanceOf(SQLTransientConnectionException.class)
          .hasMessageContaining("not tried again for this request")
          .satisfies(e -> assertThat(StoreUnavailable.isCause(e)).isTrue());
    }
    assertThat(pool.calls()).as("only the probe reached the pool").isEqualTo(2);
    assertThat(ds.refusedWithoutTrying()).isEqualTo(3);

    release.countDown();
    assertThat(probe.get(10, TimeUnit.SECONDS)).isSameAs(CONNECTION);
    assertThat(ds.unreachable()).isFalse();
    assertThat(ds.getConnection()).isSameAs(CONNECTION);
    assertThat(pool.calls()).isEqualTo(3);
  }

  @Test
  void aFailureThatDoesNotSayTheDatabaseIsUnreachableDoesNotStopTheNextRequest() throws Exception {
    SQLException wrongPassword = new SQLException("password authentication failed", "28P01");
    ScriptedPool pool = new ScriptedPool().failing(wrongPassword).answering(CONNECTION);
    FailFastDataSource ds = new FailFastDataSource(pool, nanos::get);

    assertThatThrownBy(ds::getConnection).isSameAs(wrongPassword);
    assertThat(ds.unreachable()).isFalse();
    assertThat(ds.getConnection()).isSameAs(CONNECTION);
    assertThat(pool.calls()).isEqualTo(2);
  }

  /** A pool that answers connection requests from a script, in order, counting them. */
  private static final class ScriptedPool implements DataSource {
    private interface Answer {
      Connection give() throws SQLException;
    }

    private final Deque<Answer> script = new ArrayDeque<>();
    private final AtomicInteger calls = new AtomicInteger();

    ScriptedPool failing(SQLException e) {
      script.add(
          () -> {
            throw e;
          });
      return this;
    }

    ScriptedPool answering(Connection c) {
      script.add(() -> c);
      return this;
    }

    /** Says it was asked, then waits for {@code release} before it gives {@code c}. */
    ScriptedPool blockingThen(CountDownLatch asked, CountDownLatch release, Connection c) {
      script.add(
          () -> {
            asked.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return c;
          });
      return this;
    }

    int calls() {
      return calls.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
      calls.incrementAndGet();
      Answer a;
      synchronized (script) {
        a = script.poll();
      }
      if (a == null) {
        throw new AssertionError("the pool was asked more often than scripted");
      }
      return a.give();
    }

    @Override
    public Connection getConnection(String username, String password) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
