package dev.estuary.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The server's SQL database: a HikariCP pool, migrated with Flyway when opened, and a {@link Jdbi}
 * over it.
 *
 * <p>Two engines are supported with the same schema ({@code classpath:db/migration}, portable SQL):
 * an embedded H2 file database (see {@link #h2FileUrl(Path)}), the default, and PostgreSQL 15+
 * ({@code jdbc:postgresql://host:port/db}).
 *
 * <pre>{@code
 * try (Database db = Database.open(Database.h2FileUrl(dataDir), "sa", "")) {
 *   CertificateStore certs = new JdbiCertificateStore(db.jdbi());
 *   ...
 * }
 * }</pre>
 */
public final class Database implements AutoCloseable {

  /** Pool size when none is given: enough for an EST server on a small machine. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /**
   * The longest a request waits for a database connection before it fails as {@link
   * StoreUnavailable} (and is answered 503 with Retry-After).
   */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  private static final String H2_FILE_NAME = "estuary";

  /** MVStore's page split size for H2 (see {@link #h2FileUrl}). */
  static final int H2_PAGE_SIZE = 4096;

  private final HikariDataSource dataSource;
  private final FailFastDataSource failFast;
  private final Jdbi jdbi;
  private final String jdbcUrl;
  private final String user;
  private final String password;

  private Database(
      HikariDataSource dataSource,
      FailFastDataSource failFast,
      Jdbi jdbi,
      String jdbcUrl,
      String user,
      String password) {
    this.dataSource = dataSource;
    this.failFast = failFast;
    this.jdbi = jdbi;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /**
   * Opens a pool of {@link #DEFAULT_POOL_SIZE} connections; see {@link #open(String, String,
   * String, int)}.
   */
  public static Database open(String jdbcUrl, String user, String password) {
    return open(jdbcUrl, user, password, DEFAULT_POOL_SIZE);
  }

  /**
   * Opens a connection pool and brings the schema up to date (idempotent: an up-to-date database is
   * left as it is).
   *
   * @param jdbcUrl e.g. from {@link #h2FileUrl(Path)}, or {@code jdbc:postgresql://...}
   * @param user for a new H2 database, this user is created as its administrator
   * @param password may be empty
   * @param maxPoolSize the most connections open at once
   * @throws org.flywaydb.core.api.FlywayException when the schema cannot be migrated
   */
  public static Database open(String jdbcUrl, String user, String password, int maxPoolSize) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("maxPoolSize must be at least 1: " + maxPoolSize);
    }
    jdbcUrl = withH2Settings(jdbcUrl); // any H2 URL, also one written in server.toml
    HikariConfig config = new HikariConfig();
    config.setPoolName("estuary-db");
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(maxPoolSize);
    // A request waits at most this long for a connection: with the database down it is answered
    // 503 within seconds instead of hanging for Hikari's default 30 s (StoreUnavailable).
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(Math.min(CONNECTION_TIMEOUT.toMillis(), 1000));
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    FailFastDataSource failFast = new FailFastDataSource(dataSource);
    Jdbi jdbi = Jdbi.create(failFast);
    StoreColumnTypes.register(jdbi);
    return new Database(dataSource, failFast, jdbi, jdbcUrl, user, password);
  }

  /**
   * The JDBC URL of the embedded H2 database kept in {@code dir} (created if missing).
   *
   * <p>{@code WRITE_DELAY=0}: H2 2.x by default writes committed changes to its file up to 500 ms
   * after the commit (a background thread flushes them). A process killed in that window (kill -9,
   * OOM killer, crash) would lose certificates the server already handed out, and whose serial
   * numbers and keys it can then no longer account for. With a delay of 0, each commit writes its
   * changes to the file before the commit returns, so whatever {@link CertificateStore#record}
   * acknowledged survives the JVM dying right after. (H2 does not fsync on commit: an operating
   * system crash or power loss may still lose the last commits; use PostgreSQL where that matters.)
   *
   * <p>{@code DB_CLOSE_ON_EXIT=FALSE}: H2 would otherwise close the database from its own shutdown
   * hook, possibly while the server is still finishing requests; {@link #close()} closes it.
   *
   * <p>{@code PAGE_SIZE=4096}: the size at which H2's MVStore splits a B-tree page (16 KiB by
   * default). MVStore never updates a page in place: each commit writes every page it touched,
   * whole, into a new chunk, so an issuance that touches a leaf of the subject index (a random
   * place in it) writes that leaf again. Smaller pages cut what each commit writes: measured at 1 M
   * certificates, 11 kB per certificate instead of 17–21 kB, at the same or better throughput
   * (docs/benchmarks.md, target 4). Existing larger pages split as they are next written.
   *
   * @throws IllegalArgumentException when the path contains a ';' (it would be read as a setting)
   */
  public static String h2FileUrl(Path dir) {
    String path = dir.toAbsolutePath().normalize().resolve(H2_FILE_NAME).toString();
    if (path.contains(";")) {
      throw new IllegalArgumentException("an H2 data directory may not contain ';': " + path);
    }
    return withH2Settings("jdbc:h2:file:" + path);
  }

  /**
   * Adds WRITE_DELAY=0, DB_CLOSE_ON_EXIT=FALSE and PAGE_SIZE=4096 (see {@link #h2FileUrl}) to an H2
   * URL lacking them.
   */
  static String withH2Settings(String jdbcUrl) {
    if (!jdbcUrl.startsWith("jdbc:h2:")) {
      return jdbcUrl;
    }
    String upper = jdbcUrl.toUpperCase(Locale.ROOT);
    String url = jdbcUrl;
    if (!upper.contains(";WRITE_DELAY=")) {
      url += ";WRITE_DELAY=0";
    }
    if (!upper.contains(";DB_CLOSE_ON_EXIT=")) {
      url += ";DB_CLOSE_ON_EXIT=FALSE";
    }
    if (!upper.contains(";PAGE_SIZE=")) {
      url += ";PAGE_SIZE=" + H2_PAGE_SIZE;
    }
    return url;
  }

  /**
   * Jdbi over the pool (through {@link FailFastDataSource}: while the database is unreachable its
   * connection requests fail at once); binds and maps {@link java.time.Instant} (UTC) and {@link
   * java.math.BigInteger}.
   */
  public Jdbi jdbi() {
    return jdbi;
  }

  /** The pool itself, without failing fast, e.g. for health checks. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Publishes the pool's HikariCP meters ({@code hikaricp_connections_active}, {@code _idle},
   * {@code _pending}, {@code _max}, {@code _timeout_total}, acquire and usage times, tagged {@code
   * pool="estuary-db"}) in {@code registry}, and {@code estuary_store_unreachable} (1 while
   * connection requests fail fast, {@link FailFastDataSource}) and {@code
   * estuary_store_connections_refused_total} (those refused without trying). Once per pool.
   */
  public void bindMetrics(MeterRegistry registry) {
    dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    Gauge.builder("estuary.store.unreachable", failFast, f -> f.unreachable() ? 1 : 0)
        .description("1 while the database is taken as unreachable: connection requests fail fast")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder(
            "estuary.store.connections.refused", failFast, FailFastDataSource::refusedWithoutTrying)
        .description("Connection requests refused at once while the database was unreachable")
        .register(registry);
  }

  /** True for PostgreSQL (LISTEN/NOTIFY), false for H2. */
  public boolean isPostgres() {
    return isPostgres(jdbcUrl);
  }

  static boolean isPostgres(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  /** True when {@code handle} is connected to PostgreSQL, false for H2. */
  static boolean isPostgres(Handle handle) {
    try {
      return isPostgres(handle.getConnection().getMetaData().getURL());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot tell the database's engine", e);
    }
  }

  /**
   * A connection of its own, outside the pool, for a session that lives long (the change feed's
   * LISTEN): the caller closes it. Fails within {@link #CONNECTION_TIMEOUT} when the database is
   * unreachable.
   */
  public Connection openDedicatedConnection() throws SQLException {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    if (isPostgres()) {
      p.setProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
      p.setProperty("tcpKeepAlive", "true");
      p.setProperty("ApplicationName", "estuary-change-feed");
    }
    return DriverManager.getConnection(jdbcUrl, p);
  }

  /** Closes the pool; an embedded H2 database is closed with its last connection. */
  @Override
  public void close() {
    dataSource.close();
  }
}
