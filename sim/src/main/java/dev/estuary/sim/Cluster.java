package dev.estuary.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The managed mode: a real PostgreSQL and N replicas of the real server, each a child JVM of the
 * estuary jar ({@code server --config}) on its own loopback ports, sharing one data directory (one
 * keystore) and the database. Set up the way an operator would move a quickstart to PostgreSQL: a
 * quickstart (its CA hierarchy, bootstrap secret, enrollment group and hub), {@code server backup},
 * {@code server restore --postgres-url}; then the labels' validity is set to the simulated lifetime
 * shrunk by the speed.
 */
final class Cluster implements Servers {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> LABELS = List.of("idevid", "device-id", "edge-ca");

  /** One replica: its ports stay across restarts (the proxy's backend list names them). */
  private static final class Replica {
    final int index;
    final int estPort;
    final int adminPort;
    volatile Process process;
    volatile boolean up;

    Replica(int index, int estPort, int adminPort) {
      this.index = index;
      this.estPort = estPort;
      this.adminPort = adminPort;
    }
  }

  private final EstuaryJar jar;
  private final Path data;
  private final Postgres pg;
  private final List<Replica> replicas = new ArrayList<>();
  private final Setup setup;
  private final Admin admin;
  private final PrintStream log;
  private volatile List<X509Certificate> trust;
  private volatile boolean closed;
  private int nextKill;

  /** How long a replica may take to start (a loaded machine starts a JVM slowly). */
  static final Duration START_LIMIT = Duration.ofMinutes(10);

  private Cluster(
      EstuaryJar jar, Path data, Postgres pg, Setup setup, String adminToken, PrintStream log)
      throws IOException {
    this.jar = jar;
    this.data = data;
    this.pg = pg;
    this.setup = setup;
    this.log = log;
    this.trust = readRoots(setup.rootCa());
    this.admin =
        new Admin(
            () ->
                replicas.stream()
                    .filter(r -> r.up)
                    .map(r -> "https://127.0.0.1:" + r.adminPort)
                    .toList(),
            adminToken,
            () -> trust);
  }

  /** Sets up the database and the data directory and starts {@code n} replicas. */
  static Cluster start(EstuaryJar jar, Path work, int n, Duration lifetime, PrintStream log)
      throws Exception {
    Postgres pg = Postgres.start(work.resolve("postgres"));
    try {
      log.println("sim: PostgreSQL up (" + pg.url("estuary") + ")");
      try (Connection c = DriverManager.getConnection(pg.url("postgres"), "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE estuary");
      }
      Path seed = work.resolve("quickstart");
      Process q =
          jar.start(
              "quickstart.log",
              List.of(
                  "server",
                  "--quickstart",
                  "--data-dir",
                  seed.toString(),
                  "--est-port",
                  "0",
                  "--admin-port",
                  "0"));
      JsonNode info;
      try {
        info = awaitQuickstart(q, seed.resolve("quickstart.json"), work.resolve("quickstart.log"));
      } finally {
        q.destroy();
        if (!q.waitFor(30, TimeUnit.SECONDS)) {
          q.destroyForcibly();
        }
      }
      Path backup = work.resolve("quickstart-backup.zip");
      jar.run(
          "backup.log",
          120,
          List.of("server", "backup", "--data-dir", seed.toString(), "--out", backup.toString()));
      Path data = work.resolve("data");
      // The embedded PostgreSQL trusts loopback connections; the role still gets a password file,
      // as an operator's restore takes one.
      Path password = work.resolve("db.password");
      AtomicFiles.write(password, "postgres\n".getBytes(StandardCharsets.US_ASCII), "rw-------");
      jar.run(
          "restore.log",
          120,
          List.of(
              "server",
              "restore",
              "--from",
              backup.toString(),
              "--data-dir",
              data.toString(),
              "--postgres-url",
              pg.url("estuary"),
              "--postgres-user",
              "postgres",
              "--postgres-password-file",
              password.toString()));
      Path toml = data.resolve("server.toml");
      String text = Files.readString(toml);
      String validity = "validity = \"" + Speed.seconds(lifetime) + "\"";
      String edited =
          text.replace("validity = \"7d\"", validity).replace("validity = \"30d\"", validity);
      if (edited.equals(text)) {
        throw new IOException(toml + ": found no label validity to set");
      }
      // Every simulated device reaches the replicas from 127.0.0.1 through the fault proxy, as a
      // fleet does behind one NAT address or a TCP load balancer: the per-address connection limit
      // (256 by default) would close all but the first 256 devices' connections.
      edited +=
          "\n[connections]\n# all devices come from the fault proxy's address\nmax_per_address = 0\n";
      Files.writeString(toml, edited);
      log.println(
          "sim: data directory "
              + data
              + " restored from a quickstart into PostgreSQL; device-id and edge-ca certificates live "
              + Speed.seconds(lifetime)
              + " (real)");
      Setup setup =
          new Setup(
              data.resolve("root-ca.pem"),
              info.get("factory_secret").asText(),
              info.get("id_scope").asText());
      Cluster cluster = new Cluster(jar, data, pg, setup, info.get("admin_token").asText(), log);
      try {
        for (int i = 0; i < n; i++) {
          cluster.replicas.add(new Replica(i + 1, freePort(), freePort()));
        }
        List<Thread> starting = new ArrayList<>();
        for (Replica r : cluster.replicas) {
          starting.add(Thread.ofVirtual().start(() -> cluster.bringUp(r)));
        }
        for (Thread t : starting) {
          t.join();
        }
        for (Replica r : cluster.replicas) {
          if (!r.up) {
            throw new IOException(
                "replica "
                    + r.index
                    + " did not come up; see "
                    + jar.logDir().resolve("replica-" + r.index + ".log"));
          }
        }
      } catch (Exception e) {
        cluster.close();
        throw e;
      }
      return cluster;
    } catch (Exception e) {
      pg.close();
      throw e;
    }
  }

  private static JsonNode awaitQuickstart(Process q, Path info, Path log) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (Instant.now().isBefore(deadline)) {
      if (!q.isAlive()) {
        throw new IOException("the quickstart server exited: " + Files.readString(log));
      }
      if (Files.exists(info)) {
        JsonNode n = JSON.readTree(info.toFile());
        if (n.has("est_url")) {
          return n;
        }
      }
      Thread.sleep(200);
    }
    throw new IOException("the quickstart server did not come up in 120 s: " + log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static List<X509Certificate> readRoots(Path pem) throws IOException {
    try {
      return Pem.certificates(Files.readString(pem, StandardCharsets.US_ASCII));
    } catch (Exception e) {
      throw new IOException(pem + ": " + e.getMessage(), e);
    }
  }

  private void launch(Replica r) throws IOException {
    r.up = false;
    Process old = r.process;
    if (old != null && old.isAlive()) {
      old.destroyForcibly();
    }
    r.process =
        jar.start(
            "replica-" + r.index + ".log",
            List.of(
                "server",
                "--config",
                data.resolve("server.toml").toString(),
                "--est-port",
                String.valueOf(r.estPort),
                "--admin-port",
                String.valueOf(r.adminPort)));
  }

  /**
   * Starts the replica and waits until it serves; starts it again when it exits while starting (the
   * database may be down just then). Gives up after {@link #START_LIMIT} or when the cluster
   * closes. One start at a time per replica.
   */
  private void bringUp(Replica r) {
    synchronized (r) {
      Instant deadline = Instant.now().plus(START_LIMIT);
      try {
        while (!closed && Instant.now().isBefore(deadline)) {
          launch(r);
          if (awaitUp(r, deadline)) {
            return;
          }
          log.println(
              "sim: replica "
                  + r.index
                  + " exited while starting (exit "
                  + r.process.exitValue()
                  + "); starting it again");
          Thread.sleep(1000);
        }
        log.println("sim: replica " + r.index + " did not come up within " + START_LIMIT);
      } catch (IOException e) {
        log.println("sim: replica " + r.index + " could not be started: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits until the replica serves {@code cacerts}: true; false when its process exited. */
  private boolean awaitUp(Replica r, Instant deadline) throws InterruptedException {
    while (!closed && Instant.now().isBefore(deadline)) {
      if (!r.process.isAlive()) {
        return false;
      }
      try {
        Admin.cacerts(
            "https://127.0.0.1:" + r.estPort + "/.well-known/est", List.of("device-id"), trust);
        r.up = true;
        return true;
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(250);
    }
    return false;
  }

  @Override
  public Setup setup() {
    return setup;
  }

  @Override
  public List<InetSocketAddress> backends() {
    return replicas.stream()
        .map(r -> new InetSocketAddress(InetAddress.getLoopbackAddress(), r.estPort))
        .toList();
  }

  @Override
  public Admin admin() {
    return admin;
  }

  @Override
  public List<X509Certificate> caCertificates() throws IOException {
    IOException last = null;
    for (int round = 0; round < 40; round++) {
      for (Replica r : replicas) {
        if (!r.up) {
          continue;
        }
        try {
          List<X509Certificate> all =
              Admin.cacerts("https://127.0.0.1:" + r.estPort + "/.well-known/est", LABELS, trust);
          List<X509Certificate> roots = new ArrayList<>(trust);
          for (X509Certificate c : all) {
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())
                && !roots.contains(c)) {
              roots.add(c);
            }
          }
          trust = List.copyOf(roots);
          return all;
        } catch (IOException e) {
          last = e;
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("no replica served cacerts: " + last);
  }

  /**
   * Kills replica {@code index} (1-based; 0: the next one that is up, in turn) with SIGKILL and
   * starts it again after {@code restartAfter}. A kill that would leave no replica up is skipped
   * (reported): the scenario kills one replica of a service that stays up.
   */
  @Override
  public void killReplica(int index, Duration restartAfter) throws Exception {
    Replica r;
    if (index != 0) {
      r = replicas.get(Math.floorMod(index - 1, replicas.size()));
    } else {
      r = null;
      for (int i = 0; i < replicas.size() && r == null; i++) {
        Replica c = replicas.get(Math.floorMod(nextKill++, replicas.size()));
        if (c.up) {
          r = c;
        }
      }
      if (r == null) {
        throw new IllegalStateException("skipped: no replica is up");
      }
    }
    Replica victim = r;
    if (replicas.stream().noneMatch(x -> x != victim && x.up)) {
      throw new IllegalStateException(
          "skipped: replica " + victim.index + " is the only one up (the others are restarting)");
    }
    synchronized (victim) {
      victim.up = false;
      victim.process.destroyForcibly();
      victim.process.waitFor(10, TimeUnit.SECONDS);
    }
    log.println("sim: replica " + victim.index + " killed (SIGKILL); restart in " + restartAfter);
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                Thread.sleep(restartAfter.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              bringUp(victim);
              if (victim.up) {
                log.println("sim: replica " + victim.index + " back");
              }
            });
  }

  @Override
  public void dbStop() throws Exception {
    pg.stop();
    log.println("sim: PostgreSQL stopped");
  }

  @Override
  public void dbStart() throws Exception {
    pg.resume();
    log.println("sim: PostgreSQL started again");
  }

  @Override
  public void caCommand(List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("server", "ca"));
    cmd.addAll(args);
    cmd.addAll(List.of("--data-dir", data.toString()));
    Map<Integer, List<X509Certificate>> before = new HashMap<>();
    for (Replica r : replicas) {
      if (r.up) {
        List<X509Certificate> served = replicaCaCertificates(r);
        if (served != null) {
          before.put(r.index, served);
        }
      }
    }
    long start = System.nanoTime();
    String out = jar.run("ca-" + args.getFirst() + ".log", 120, cmd);
    log.println("sim: estuary server ca " + String.join(" ", args) + ": " + firstLine(out));
    // Each replica takes the change up by itself (it watches the keystore): no restart. Wait
    // until every replica that was serving serves the new cacerts, and say how long it took.
    for (Replica r : replicas) {
      List<X509Certificate> old = before.get(r.index);
      if (old == null) {
        continue; // down: it starts with the new keystore
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      List<X509Certificate> now = old;
      while (System.nanoTime() < deadline && r.up && now.equals(old)) {
        Thread.sleep(100);
        List<X509Certificate> served = replicaCaCertificates(r);
        now = served == null ? now : served;
      }
      log.printf(
          "sim: replica %d %s %d ms after the command began%n",
          r.index,
          now.equals(old) ? "still served the old cacerts" : "took the change up",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
  }

  /** One replica's cacerts (every label), or null when it does not answer. */
  private List<X509Certificate> replicaCaCertificates(Replica r) {
    try {
      return Admin.cacerts("https://127.0.0.1:" + r.estPort + "/.well-known/est", LABELS, trust);
    } catch (IOException e) {
      return null;
    }
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl) + " …";
  }

  private Connection db() throws SQLException {
    return DriverManager.getConnection(pg.url("estuary"), "postgres", "");
  }

  @Override
  public Set<String> inDatabase(Collection<Stats.Received> received) throws Exception {
    Set<String> all = new HashSet<>();
    try (Connection c = db();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sha256 FROM certificate")) {
      while (rs.next()) {
        all.add(rs.getString(1).toLowerCase(Locale.ROOT));
      }
    }
    return all;
  }

  @Override
  public Map<String, String> registrations(Collection<String> ids) throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Connection c = db();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT registration_id, certificate_sha256 FROM prov_registration");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  @Override
  public List<String> duplicateSerialsInDatabase() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT serial FROM certificate GROUP BY serial HAVING COUNT(*) > 1")) {
      while (rs.next()) {
        out.add(rs.getBigDecimal(1).toBigInteger().toString(16));
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    closed = true;
    for (Replica r : replicas) {
      Process p = r.process;
      if (p != null) {
        p.destroy();
      }
    }
    for (Replica r : replicas) {
      Process p = r.process;
      if (p != null && !p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    pg.close();
  }
}
