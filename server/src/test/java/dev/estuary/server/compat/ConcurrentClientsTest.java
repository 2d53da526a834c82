package dev.estuary.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hundreds of TLS clients at once, each on its own connections: every client fetches cacerts on a
 * new connection, and three in four then enroll on another new connection — with HTTP Basic, with
 * the factory secret, or over mTLS with an IDevID. All are served, every certificate has its own
 * serial number, and the server still answers afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentClientsTest {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentClientsTest.class);
  private static final int CLIENTS = 200;

  /** One IDevID per mTLS client: device-id binds one name to one identity (docs/security.md). */
  private static final int IDEVIDS = CLIENTS / 4;

  @TempDir static Path dir;
  static QuickstartServer server;
  static X509Certificate root;
  static SSLContext anonymous;
  static final List<SSLContext> idevidTls = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(dir);
    root = server.root();
    anonymous = TestPki.tls(root, null, null);
    // The IDevIDs also put the secret's verification in the server's cache; one Basic enrollment
    // does the same for Basic, so the burst measures serving, not 200 PBKDF2 runs.
    for (int i = 0; i < IDEVIDS; i++) {
      idevidTls.add(Wire.idevid(server, "burst-idevid-" + i).tls(root));
    }
    Wire.enroll(
        server,
        anonymous,
        "/.well-known/est/idevid/simpleenroll",
        "Authorization: " + Wire.basic(server.basicUsername(), server.basicPassword()) + "\r\n",
        "ec-p256",
        "CN=burst-warmup");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private enum Kind {
    BASIC,
    SECRET,
    MTLS,
    CACERTS_ONLY
  }

  private record Plan(int index, Kind kind, SSLContext tls, byte[] request, KeyPair key) {}

  private static byte[] cacerts(String label) {
    return ("GET /.well-known/est/"
            + label
            + "/cacerts HTTP/1.1\r\n"
            + "Host: localhost:"
            + server.estPort()
            + "\r\n"
            + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static Plan plan(int i) {
    Kind kind = Kind.values()[i % 4];
    if (kind == Kind.CACERTS_ONLY) {
      return new Plan(i, kind, anonymous, null, null);
    }
    KeyPair key = TestPki.key("ec-p256");
    byte[] body = Wire.base64Lines(TestPki.csr(key, "CN=burst-" + i));
    String label = kind == Kind.MTLS ? "device-id" : "idevid";
    String auth =
        switch (kind) {
          case BASIC ->
              "Authorization: "
                  + Wire.basic(server.basicUsername(), server.basicPassword())
                  + "\r\n";
          case SECRET -> "Secret-Value: " + server.factorySecret() + "\r\n";
          default -> "";
        };
    String head =
        "POST /.well-known/est/"
            + label
            + "/simpleenroll HTTP/1.1\r\n"
            + "Host: localhost:"
            + server.estPort()
            + "\r\n"
            + "Content-Type: application/pkcs10\r\n"
            + auth
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "\r\n";
    SSLContext tls = kind == Kind.MTLS ? idevidTls.get(i / 4) : anonymous;
    return new Plan(i, kind, tls, Wire.concat(head, body), key);
  }

  @Test
  void twoHundredConcurrentTlsClientsAreAllServedWithDistinctSerials() throws Exception {
    List<Plan> plans = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      plans.add(plan(i)); // keys and CSRs made before the burst
    }
    List<String> protocols = List.of(Wire.TLS13, Wire.TLS12);
    CountDownLatch ready = new CountDownLatch(CLIENTS);
    CountDownLatch go = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<BigInteger> serials = new ConcurrentLinkedQueue<>();
    AtomicInteger cacertsOk = new AtomicInteger();
    long started;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (Plan p : plans) {
        done.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  try {
                    go.await();
                    String label =
                        p.kind() == Kind.MTLS
                            ? "device-id"
                            : (p.index() % 3 == 0 ? "edge-ca" : "idevid");
                    Wire.Response ca =
                        Wire.exchange(
                            p.kind() == Kind.MTLS ? p.tls() : anonymous,
                            server.estPort(),
                            protocols,
                            cacerts(label));
                    if (ca.status() != 200
                        || !Wire.certsInOrder(Wire.stripAndDecode(ca.body()))
                            .getFirst()
                            .equals(root)) {
                      failures.add(
                          "client "
                              + p.index()
                              + " cacerts: "
                              + ca.statusLine()
                              + " "
                              + ca.bodyText());
                      return null;
                    }
                    cacertsOk.incrementAndGet();
                    if (p.request() == null) {
                      return null;
                    }
                    Wire.Response r =
                        Wire.exchange(p.tls(), server.estPort(), protocols, p.request());
                    if (r.status() != 200) {
                      failures.add(
                          "client "
                              + p.index()
                              + " "
                              + p.kind()
                              + " enroll: "
                              + r.statusLine()
                              + " "
                              + r.bodyText());
                      return null;
                    }
                    X509Certificate leaf =
                        Wire.certsInOrder(Wire.stripAndDecode(r.body())).getFirst();
                    if (!leaf.getPublicKey().equals(p.key().getPublic())
                        || !Wire.cn(leaf).equals("burst-" + p.index())) {
                      failures.add(
                          "client "
                              + p.index()
                              + " got someone else's certificate: "
                              + leaf.getSubjectX500Principal());
                      return null;
                    }
                    serials.add(leaf.getSerialNumber());
                  } catch (Exception e) {
                    failures.add("client " + p.index() + " " + p.kind() + ": " + e);
                  }
                  return null;
                }));
      }
      assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
      started = System.nanoTime();
      go.countDown();
      for (Future<?> f : done) {
        f.get(100, TimeUnit.SECONDS);
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    LOG.info(
        "{} concurrent clients served in {} ms ({} certificates)",
        CLIENTS,
        took.toMillis(),
        serials.size());

    assertThat(failures).isEmpty();
    assertThat(cacertsOk.get()).isEqualTo(CLIENTS);
    long enrolling = plans.stream().filter(p -> p.request() != null).count();
    assertThat(serials).hasSize((int) enrolling);
    assertThat(new HashSet<>(serials)).as("distinct serial numbers").hasSize((int) enrolling);
    assertThat(serials)
        .allSatisfy(
            s -> {
              assertThat(s.signum()).isPositive();
              assertThat(s.bitLength()).as("random serials of 16+ bytes").isGreaterThan(64);
            });

    // Still responsive.
    Wire.Response after = Wire.exchange(anonymous, server.estPort(), protocols, cacerts("idevid"));
    assertThat(after.status()).isEqualTo(200);
  }
}
