package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.Pem;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.conscrypt.Conscrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, point 2: with the IDevID from the seed's commands, curl over mTLS gets a device-id and
 * an edge-ca certificate; re-enrolling with the device-id certificate keeps its subject
 * (re-enrollment forcing on, the default) or honours the CSR (forcing off).
 */
@Timeout(120)
class MutualTlsTest {
  static final String EDGE_CA_EXTENSIONS_BC = "basicConstraints=critical,CA:TRUE,pathlen:0";
  static final String EDGE_CA_EXTENSIONS_KU = "keyUsage=critical,digitalSignature,keyCertSign";

  @TempDir static Path tmp;
  static QuickstartServer server;
  static Path work;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    work = Files.createDirectories(tmp.resolve("work"));
    SeedFlow.run(work, server.estUrl(), server.rootPem(), server.factorySecret());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** https://127.0.0.1:PORT/.well-known/est */
  static String est(QuickstartServer s) {
    return "https://127.0.0.1:" + s.estPort() + "/.well-known/est";
  }

  static X509Certificate caOf(QuickstartServer s, String label) {
    return s.server().labels().get(label).ca().certificate();
  }

  /** CSR {@code name.csr} for {@code cn}, sent over mTLS with the seed's IDevID. */
  static Curl.Reply withIdevid(
      QuickstartServer s, Path dir, String name, String cn, String url, String... addext) {
    Curl.csr(dir, name, cn, addext);
    return Curl.enroll(dir, s.rootPem(), "IDevID.cert.pem", "IDevID.key.pem", name + ".csr", url);
  }

  /**
   * A device-id certificate for {@code cn} (IDevID over mTLS), written as {@code name.cert.pem}
   * with its chain.
   */
  static X509Certificate deviceId(QuickstartServer s, Path dir, String name, String cn)
      throws Exception {
    Curl.Reply r = withIdevid(s, dir, name, cn, est(s) + "/device-id/simpleenroll");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    List<X509Certificate> chain = new ArrayList<>(r.certificates());
    assertThat(chain).as("an enroll answer holds only the issued certificate").hasSize(1);
    // The chain comes from cacerts, as a device builds it: the label's CAs below the root, issuer
    // first.
    X509Certificate root = s.root();
    chain.addAll(
        Curl.get(dir, s.rootPem(), est(s) + "/device-id/cacerts").certificates().stream()
            .filter(c -> !c.equals(root))
            .toList()
            .reversed());
    Pkix.writePem(dir.resolve(name + ".cert.pem"), chain);
    return chain.getFirst();
  }

  static String publicKeyOf(Path dir, String keyPem) {
    return Shell.ok(dir, "openssl pkey -pubout -in " + keyPem).stdout();
  }

  static String publicKeyOf(X509Certificate cert) {
    return Pem.encode(cert.getPublicKey());
  }

  @Test
  void theDefaultTlsProviderIsConscryptWhereItsLibraryLoadsAndTheJdksElsewhere() {
    assertThat(server.server().tlsProviderName())
        .isEqualTo(Conscrypt.isAvailable() ? "Conscrypt" : "SunJSSE");
  }

  @Test
  void idevidOverMtlsGetsAShortLivedDeviceIdCertificate() throws Exception {
    long before = server.server().certificates().count();
    Instant askedAt = Instant.now();
    X509Certificate cert = deviceId(server, work, "device", "my-device-id");
    Instant answeredAt = Instant.now();

    assertThat(Pkix.cn(cert)).isEqualTo("my-device-id");
    assertThat(cert.getExtendedKeyUsage()).containsExactly(Pkix.CLIENT_AUTH);
    assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(cert.getBasicConstraints()).as("a leaf").isEqualTo(-1);
    X509Certificate ca = caOf(server, "device-id");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    cert.verify(ca.getPublicKey());
    assertThat(cert.getNotAfter().toInstant())
        .as("7 days, the quickstart device-id validity")
        .isBetween(
            askedAt.plus(Duration.ofDays(7)).minusSeconds(2),
            answeredAt.plus(Duration.ofDays(7)).plusSeconds(2));
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
        .isLessThan(Duration.ofDays(8));
    assertThat(publicKeyOf(cert)).isEqualTo(publicKeyOf(work, "device.key.pem"));

    X509Certificate idevid = Pkix.pemCertificate(work.resolve("IDevID.cert.pem"));
    CertificateRecord record =
        server.server().certificates().findBySerial(cert.getSerialNumber()).orElseThrow();
    assertThat(record.label()).isEqualTo("device-id");
    assertThat(record.gate()).isEqualTo("mtls");
    assertThat(record.requester()).as("the IDevID's SHA-256").isEqualTo(Thumbprints.sha256(idevid));
    assertThat(server.server().certificates().count()).isEqualTo(before + 1);
  }

  @Test
  void idevidOverMtlsGetsAnEdgeCaCertificate() throws Exception {
    Curl.Reply r =
        withIdevid(
            server,
            work,
            "edge",
            "my-edge-ca",
            est(server) + "/edge-ca/simpleenroll",
            EDGE_CA_EXTENSIONS_BC,
            EDGE_CA_EXTENSIONS_KU);
    X509Certificate cert = r.leaf();
    assertEdgeCa(cert, "my-edge-ca");
    assertThat(publicKeyOf(cert)).isEqualTo(publicKeyOf(work, "edge.key.pem"));

    // openssl agrees: the Edge CA chains to the root through what edge-ca's cacerts returns.
    Pkix.writePem(work.resolve("edge.cert.pem"), cert);
    Curl.Reply cacerts = Curl.get(work, server.rootPem(), est(server) + "/edge-ca/cacerts");
    Pkix.writePem(work.resolve("edge-chain.pem"), cacerts.certificates());
    Shell.Result verify =
        Shell.run(
            work,
            "openssl verify -CAfile "
                + server.rootPem()
                + " -untrusted edge-chain.pem edge.cert.pem");
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.stdout()).contains("edge.cert.pem: OK");
  }

  @Test
  void deviceIdCertificateOverMtlsAlsoGetsAnEdgeCa() throws Exception {
    // The Azure identity service authenticates its Edge CA request with its EST identity, a
    // certificate the device-id label issued.
    deviceId(server, work, "estid", "my-device-id");
    // The device's one Edge CA name: its identity is bound to it (name binding on edge-ca).
    Curl.csr(work, "edge2", "my-edge-ca", EDGE_CA_EXTENSIONS_BC, EDGE_CA_EXTENSIONS_KU);
    Curl.Reply r =
        Curl.enroll(
            work,
            server.rootPem(),
            "estid.cert.pem",
            "estid.key.pem",
            "edge2.csr",
            est(server) + "/edge-ca/simpleenroll");
    assertEdgeCa(r.leaf(), "my-edge-ca");
  }

  private static void assertEdgeCa(X509Certificate cert, String cn) throws Exception {
    assertThat(Pkix.cn(cert)).isEqualTo(cn);
    assertThat(cert.getBasicConstraints()).as("CA:TRUE, pathlen 0").isEqualTo(0);
    assertThat(cert.getCriticalExtensionOIDs()).contains(Pkix.BASIC_CONSTRAINTS, Pkix.KEY_USAGE);
    boolean[] ku = cert.getKeyUsage();
    assertThat(ku[0]).as("digitalSignature").isTrue();
    assertThat(ku[5]).as("keyCertSign").isTrue();
    X509Certificate ca = caOf(server, "edge-ca");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    cert.verify(ca.getPublicKey());
  }

  @Test
  void simpleenrollWithTheDeviceIdCertificateKeepsItsSubjectWhenForcing() throws Exception {
    assertThat(server.server().labels().get("device-id").reenrollmentForcing())
        .as("quickstart default")
        .isTrue();
    X509Certificate first = deviceId(server, work, "renew", "my-device-id");
    Curl.csr(work, "renew2", "someone-else");
    Curl.Reply r =
        Curl.enroll(
            work,
            server.rootPem(),
            "renew.cert.pem",
            "renew.key.pem",
            "renew2.csr",
            est(server) + "/device-id/simpleenroll");
    X509Certificate renewed = r.leaf();
    assertThat(renewed.getSubjectX500Principal())
        .as("forced to the presented certificate's subject")
        .isEqualTo(first.getSubjectX500Principal());
    assertThat(Pkix.cn(renewed)).isEqualTo("my-device-id");
    assertThat(publicKeyOf(renewed))
        .as("but for the CSR's new key")
        .isEqualTo(publicKeyOf(work, "renew2.key.pem"));
    assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(renewed.getSerialNumber())
                .orElseThrow()
                .requester())
        .isEqualTo(Thumbprints.sha256(first));
  }

  @Test
  void simplereenrollWithTheDeviceIdCertificateKeepsItsSubject() throws Exception {
    X509Certificate first = deviceId(server, work, "reenroll", "my-device-id");
    Curl.csr(work, "reenroll2", "another-name");
    Curl.Reply r =
        Curl.enroll(
            work,
            server.rootPem(),
            "reenroll.cert.pem",
            "reenroll.key.pem",
            "reenroll2.csr",
            est(server) + "/device-id/simplereenroll");
    X509Certificate renewed = r.leaf();
    assertThat(Pkix.cn(renewed)).isEqualTo("my-device-id");
    assertThat(renewed.getExtendedKeyUsage()).containsExactly(Pkix.CLIENT_AUTH);
    assertThat(publicKeyOf(renewed)).isEqualTo(publicKeyOf(work, "reenroll2.key.pem"));
  }

  @Test
  void deviceIdLabelRefusesACaCsr() throws Exception {
    long before = server.server().certificates().count();
    Curl.Reply r =
        withIdevid(
            server,
            work,
            "notca",
            "sneaky-ca",
            est(server) + "/device-id/simpleenroll",
            EDGE_CA_EXTENSIONS_BC,
            EDGE_CA_EXTENSIONS_KU);
    assertThat(r.status()).as("%s", r).isEqualTo(403);
    assertThat(r.headers()).containsIgnoringCase("content-type: text/plain");
    assertThat(r.text()).contains("CA:TRUE").contains("device-id");
    assertThat(server.server().certificates().count()).isEqualTo(before);
  }

  @Test
  void labelUrlsWithTrailingOrDoubledSlashesWork() throws Exception {
    String base = server.labelUrl("device-id").replace("localhost", "127.0.0.1");
    assertThat(base).endsWith("/device-id/");
    String root = est(server);
    List<String> urls =
        List.of(
            base + "simpleenroll", // the quickstart's label URL as given, plus the operation
            base + "/simpleenroll", // a client that adds its own slash: .../device-id//simpleenroll
            root + "//device-id/simpleenroll",
            root + "/device-id/simpleenroll/");
    int i = 0;
    for (String url : urls) {
      // One IDevID, one name (name binding): the device's own name at every URL.
      Curl.Reply r = withIdevid(server, work, "slash" + i, "my-device-id", url);
      assertThat(r.status()).as("%s -> %s", url, r).isEqualTo(200);
      assertThat(Pkix.cn(r.leaf())).isEqualTo("my-device-id");
      assertThat(r.leaf().getIssuerX500Principal())
          .as(url)
          .isEqualTo(caOf(server, "device-id").getSubjectX500Principal());
      i++;
    }
    Curl.Reply cacerts = Curl.get(work, server.rootPem(), base + "/cacerts");
    assertThat(cacerts.certificates()).contains(caOf(server, "device-id"));
  }

  @Test
  @Timeout(180)
  void withForcingOffTheCsrSubjectIsHonoured(@TempDir Path other) throws Exception {
    QuickstartServer relaxed =
        QuickstartServer.start(
            other.resolve("data"),
            toml -> {
              assertThat(toml).contains("[labels.device-id]\n");
              // Binding off too: with it, a bound identity keeps its name whatever the forcing.
              String relaxedToml =
                  toml.replace(
                      "[labels.device-id]\n", "[labels.device-id]\nreenrollment_forcing = false\n");
              assertThat(relaxedToml).contains("bind_names = true                    #");
              return relaxedToml.replace(
                  "bind_names = true                    #",
                  "bind_names = false                   #");
            });
    try {
      assertThat(relaxed.server().labels().get("device-id").reenrollmentForcing()).isFalse();
      Path dir = Files.createDirectories(other.resolve("work"));
      SeedFlow.run(dir, relaxed.estUrl(), relaxed.rootPem(), relaxed.factorySecret());
      X509Certificate first = deviceId(relaxed, dir, "device", "my-device-id");
      assertThat(Pkix.cn(first)).isEqualTo("my-device-id");

      Curl.csr(dir, "renamed", "renamed-device");
      Curl.Reply r =
          Curl.enroll(
              dir,
              relaxed.rootPem(),
              "device.cert.pem",
              "device.key.pem",
              "renamed.csr",
              est(relaxed) + "/device-id/simpleenroll");
      X509Certificate renamed = r.leaf();
      assertThat(Pkix.cn(renamed)).as("the CSR's CN").isEqualTo("renamed-device");
      assertThat(publicKeyOf(renamed)).isEqualTo(publicKeyOf(dir, "renamed.key.pem"));
      CertificateRecord record =
          relaxed.server().certificates().findBySerial(renamed.getSerialNumber()).orElseThrow();
      assertThat(record.requester())
          .as("authenticated with the device-id certificate")
          .isEqualTo(Thumbprints.sha256(first));

      // simplereenroll is a renewal by definition (RFC 7030 §4.2.2): the subject stays.
      Curl.csr(dir, "again", "yet-another-name");
      Curl.Reply again =
          Curl.enroll(
              dir,
              relaxed.rootPem(),
              "device.cert.pem",
              "device.key.pem",
              "again.csr",
              est(relaxed) + "/device-id/simplereenroll");
      assertThat(Pkix.cn(again.leaf())).isEqualTo("my-device-id");
    } finally {
      relaxed.close();
    }
  }
}
