package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.DuplicateSerialException;
import dev.estuary.server.store.JdbiCertificateStore;
import dev.estuary.server.testing.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, point 6: a restart, kill -9 included, loses no issued certificate and never reuses a
 * serial. The server runs in a child JVM ({@link ChildServer}) on a data directory that outlives
 * it; each restart is a new JVM on the same directory.
 */
@Timeout(240)
class RestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WORKERS = 12;
  private static final int KILL_AFTER = 40;

  @TempDir Path tmp;

  @Test
  void killDuringConcurrentEnrollmentsLosesNoAnsweredCertificateAndReusesNoSerial()
      throws Exception {
    Path data = tmp.resolve("data");
    List<X509Certificate> answered = new CopyOnWriteArrayList<>();
    AtomicInteger cutOff = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    byte[] cacertsBefore;

    try (Child first = Child.start(data, tmp.resolve("first.log"))) {
      try (HttpClient client = Est.client(first.root())) {
        answered.add(
            first.enroll(client, "warm-up")); // pays the password hash once, before the rush
        cacertsBefore = Est.get(client, first.est() + "/cacerts").body();

        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          int worker = w;
          workers.add(
              Thread.ofVirtual()
                  .start(
                      () -> {
                        for (int n = 0; !killed.get(); n++) {
                          try {
                            answered.add(first.enroll(client, "device-" + worker + "-" + n));
                          } catch (IOException e) {
                            if (killed.get()) {
                              cutOff.incrementAndGet(); // in flight when the server died
                            } else {
                              failures.add(
                                  new AssertionError("enrollment failed before the kill", e));
                              return;
                            }
                          } catch (InterruptedException e) {
                            return;
                          } catch (RuntimeException | AssertionError e) {
                            failures.add(e);
                            return;
                          }
                        }
                      }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (answered.size() < KILL_AFTER && System.nanoTime() < deadline && failures.isEmpty()) {
          assertThat(first.process.isAlive())
              .as("server died early; log:\n%s", first.log())
              .isTrue();
          Thread.sleep(10);
        }
        assertThat(failures).as("worker failures before the kill").isEmpty();
        assertThat(answered.size())
            .as("enrollments answered before the kill")
            .isGreaterThanOrEqualTo(KILL_AFTER);
        killed.set(true);
        first.kill();
        for (Thread t : workers) {
          assertThat(t.join(Duration.ofSeconds(30))).as("worker finished").isTrue();
        }
      }
    }
    assertThat(failures).as("worker failures").isEmpty();
    assertThat(cutOff.get()).as("enrollments in flight at the kill").isPositive();
    List<BigInteger> serials = answered.stream().map(X509Certificate::getSerialNumber).toList();
    assertThat(new HashSet<>(serials))
        .as("serials of answered enrollments are distinct")
        .hasSize(serials.size());

    try (Child second = Child.start(data, tmp.resolve("second.log"))) {
      // Every certificate whose answer arrived before the kill is in the store.
      List<String> lost = new ArrayList<>();
      for (X509Certificate cert : answered) {
        JsonNode record = second.recordOf(cert.getSerialNumber());
        if (record == null) {
          lost.add(cert.getSerialNumber().toString(16));
        } else {
          assertThat(record.get("sha256").asText()).isEqualTo(Thumbprints.sha256(cert));
        }
      }
      assertThat(lost)
          .as("answered before the kill but missing after the restart (of %d)", answered.size())
          .isEmpty();

      // Same CA, and new serials never collide with the old ones.
      try (HttpClient client = Est.client(second.root())) {
        assertThat(Est.get(client, second.est() + "/cacerts").body()).isEqualTo(cacertsBefore);
        Set<BigInteger> all = new HashSet<>(serials);
        for (int i = 0; i < 5; i++) {
          X509Certificate after = second.enroll(client, "after-restart-" + i);
          assertThat(all.add(after.getSerialNumber()))
              .as("serial %s is new", after.getSerialNumber().toString(16))
              .isTrue();
        }
      }
      second.stopGracefully();
    }

    // The store enforces what the random draw makes likely: a serial cannot be recorded twice.
    try (Database db = Database.open(Database.h2FileUrl(data.resolve("db")), "", "")) {
      CertificateStore store = new JdbiCertificateStore(db.jdbi());
      assertThat(store.count()).isGreaterThanOrEqualTo(answered.size() + 5L);
      CertificateRecord existing = store.findBySerial(serials.getFirst()).orElseThrow();
      CertificateRecord sameSerial =
          new CertificateRecord(
              existing.serial(),
              "CN=duplicate",
              existing.issuer(),
              existing.notBefore(),
              existing.notAfter(),
              existing.label(),
              existing.keyAlgorithm(),
              "00".repeat(32),
              existing.gate(),
              existing.requester(),
              existing.issuedAt(),
              new byte[] {1, 2, 3},
              null,
              null,
              null);
      assertThatThrownBy(() -> store.record(sameSerial, null))
          .isInstanceOf(DuplicateSerialException.class);
      assertThat(store.findBySerial(serials.getFirst()).orElseThrow().subject())
          .isEqualTo(existing.subject());
    }
  }

  @Test
  void gracefulRestartKeepsEveryCertificateAndTheSameCas() throws Exception {
    Path data = tmp.resolve("data");
    List<X509Certificate> issued = new ArrayList<>();
    Map<String, byte[]> cacerts = new TreeMap<>();
    X509Certificate idevidCa;
    byte[] rootPem;
    KeyPair idevidKey = TestPki.key("ec-p256");
    X509Certificate idevid;

    try (Child first = Child.start(data, tmp.resolve("first.log"))) {
      try (HttpClient client = Est.client(first.root())) {
        for (String label : List.of("idevid", "device-id", "edge-ca")) {
          cacerts.put(label, Est.get(client, first.est() + "/" + label + "/cacerts").body());
        }
        Est.Reply r =
            Est.enroll(
                client,
                first.est() + "/idevid/simpleenroll",
                TestPki.csr(idevidKey, "CN=kept-idevid"),
                first.basicAuth());
        idevid = r.leaf();
        assertThat(r.certificates()).as("only the issued certificate").hasSize(1);
        List<X509Certificate> idevidCas =
            CertsOnlyPkcs7.decode(EstBase64.decode(cacerts.get("idevid")));
        idevidCa = idevidCas.getLast(); // cacerts: the root first, then down to the issuing CA
        issued.add(idevid);
        for (int i = 0; i < 4; i++) {
          issued.add(first.enroll(client, "kept-" + i));
        }
      }
      rootPem = Files.readAllBytes(data.resolve("root-ca.pem"));
      first.stopGracefully();
    }

    try (Child second = Child.start(data, tmp.resolve("second.log"))) {
      for (X509Certificate cert : issued) {
        JsonNode record = second.recordOf(cert.getSerialNumber());
        assertThat(record)
            .as("serial %s after a graceful restart", cert.getSerialNumber().toString(16))
            .isNotNull();
        assertThat(record.get("sha256").asText()).isEqualTo(Thumbprints.sha256(cert));
      }
      assertThat(Files.readAllBytes(data.resolve("root-ca.pem"))).isEqualTo(rootPem);
      try (HttpClient client = Est.client(second.root())) {
        for (var e : cacerts.entrySet()) {
          assertThat(Est.get(client, second.est() + "/" + e.getKey() + "/cacerts").body())
              .as("cacerts of %s", e.getKey())
              .isEqualTo(e.getValue());
        }
        X509Certificate after = second.enroll(client, "after-restart");
        after.verify(idevidCa.getPublicKey()); // signed by the same key as before the restart
      }
      // The IDevID issued before the restart still authenticates (mTLS) to device-id.
      try (HttpClient device = Est.client(second.root(), List.of(idevid), idevidKey.getPrivate())) {
        Est.Reply r =
            Est.enroll(
                device,
                second.est() + "/device-id/simpleenroll",
                TestPki.csr(TestPki.key("ec-p256"), "CN=kept-device"));
        assertThat(Pkix.cn(r.leaf())).isEqualTo("kept-device");
      }
      second.stopGracefully();
    }
  }

  /** A {@link ChildServer} JVM. */
  static final class Child implements AutoCloseable {
    final Process process;
    final Path dataDir;
    final Path logFile;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    int estPort;
    int adminPort;
    JsonNode info;
    HttpClient admin;

    private Child(Process process, Path dataDir, Path logFile) {
      this.process = process;
      this.dataDir = dataDir;
      this.logFile = logFile;
    }

    static Child start(Path dataDir, Path logFile) throws Exception {
      Process p =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElseThrow(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ChildServer.class.getName(),
                  dataDir.toString())
              .redirectError(logFile.toFile())
              .start();
      Child c = new Child(p, dataDir, logFile);
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = out.readLine()) != null; ) {
                    c.lines.add(line);
                  }
                } catch (IOException e) {
                  // the process died; the test notices
                }
              });
      try {
        String ready = c.awaitLine(ChildServer.READY, 120);
        String[] ports = ready.substring(ChildServer.READY.length()).split(" ");
        c.estPort = Integer.parseInt(ports[0]);
        c.adminPort = Integer.parseInt(ports[1]);
        c.info = JSON.readTree(dataDir.resolve("quickstart.json").toFile());
        return c;
      } catch (Exception | Error e) {
        c.close();
        throw e;
      }
    }

    String awaitLine(String prefix, int seconds) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return line;
        }
        if (line == null && !process.isAlive() && lines.isEmpty()) {
          throw new AssertionError(
              "child server exited ("
                  + process.exitValue()
                  + ") before '"
                  + prefix
                  + "'; log:\n"
                  + log());
        }
      }
      throw new AssertionError(
          "no '" + prefix + "' from the child server within " + seconds + " s; log:\n" + log());
    }

    String log() {
      try {
        String s = Files.readString(logFile);
        return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    X509Certificate root() throws Exception {
      return Pkix.pemCertificate(dataDir.resolve("root-ca.pem"));
    }

    String est() {
      return "https://127.0.0.1:" + estPort + "/.well-known/est";
    }

    String[] basicAuth() {
      return new String[] {
        "Authorization",
        Est.basic(info.get("basic_username").asText(), info.get("basic_password").asText())
      };
    }

    /** An idevid certificate for a new key, by HTTP Basic; fails the test on anything but 200. */
    X509Certificate enroll(HttpClient client, String cn) throws IOException, InterruptedException {
      Est.Reply r =
          Est.enroll(
              client,
              est() + "/idevid/simpleenroll",
              TestPki.csr(TestPki.key("ec-p256"), "CN=" + cn),
              basicAuth());
      return r.leaf();
    }

    /** The admin API's record of a serial, or null on 404. */
    JsonNode recordOf(BigInteger serial) throws Exception {
      if (admin == null) {
        admin = Est.client(root());
      }
      Est.Reply r =
          Est.get(
              admin,
              "https://127.0.0.1:" + adminPort + "/api/v1/certificates/" + serial.toString(16),
              "Authorization",
              "Bearer " + info.get("admin_token").asText());
      if (r.status() == 404) {
        return null;
      }
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      return JSON.readTree(r.body());
    }

    void kill() throws Exception {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("exit status of SIGKILL").isEqualTo(128 + 9);
    }

    void stopGracefully() throws Exception {
      OutputStream in = process.getOutputStream();
      in.write("stop\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      awaitLine(ChildServer.STOPPED, 60);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("graceful exit; log:\n%s", log()).isZero();
    }

    @Override
    public void close() {
      if (admin != null) {
        admin.close();
      }
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
