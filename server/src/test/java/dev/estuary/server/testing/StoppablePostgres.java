package dev.estuary.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A real PostgreSQL of a test's own that can be stopped and started again on the same data
 * directory and port: the database going away under a running server, and coming back.
 */
public final class StoppablePostgres implements AutoCloseable {
  private final Path data;
  private final int port;
  private EmbeddedPostgres running;

  private StoppablePostgres(Path data, int port) {
    this.data = data;
    this.port = port;
  }

  /** Starts one with its data in {@code data}, on a free loopback port. */
  public static StoppablePostgres start(Path data) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    StoppablePostgres pg = new StoppablePostgres(data, port);
    pg.resume();
    return pg;
  }

  /** The JDBC URL of its {@code postgres} database (user {@code postgres}, no password). */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /**
   * Edits a quickstart server.toml to keep its store here, with {@code more} lines added to {@code
   * [database]} (e.g. {@code pool_size = 2}).
   */
  public UnaryOperator<String> quickstartToml(String... more) {
    StringBuilder b = new StringBuilder("url = \"" + url() + "\"\nuser = \"postgres\"");
    for (String line : more) {
      b.append('\n').append(line);
    }
    return toml -> toml.replace("url = \"jdbc:h2:file:./db/estuary\"", b.toString());
  }

  /** The running server (for reading the database directly). */
  public EmbeddedPostgres running() {
    if (running == null) {
      throw new IllegalStateException("PostgreSQL is stopped");
    }
    return running;
  }

  /** Stops it (the data stays). */
  public void stop() throws IOException {
    if (running != null) {
      EmbeddedPostgres p = running;
      running = null;
      p.close();
    }
  }

  /** Starts it again on the same data and port. */
  public void resume() throws IOException {
    Files.createDirectories(data);
    running =
        EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setLocaleConfig("locale", "C")
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
