package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.estuary.files.AtomicFiles;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.install.CaMaintenance;
import dev.estuary.server.revocation.PublishedCa;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a running server (each replica) takes up {@code estuary server ca roll}, {@code
 * roll-root} and {@code switch-root} within seconds, without a restart: the next certificate comes
 * from the new generation, what the old one issued keeps authenticating and keeps its CRL, cacerts
 * carries the root key update certificates, the TLS certificate moves under the new root; a
 * keystore that cannot be read changes nothing.
 */
@Timeout(180)
class CaRolloverWithoutRestartTest {
  private static final Duration TAKEN_UP = Duration.ofSeconds(10);

  @TempDir Path tmp;

  @Test
  void rollsAreTakenUpWhileServingAndAnUnreadableKeystoreChangesNothing() throws Exception {
    try (QuickstartServer s = QuickstartServer.start(tmp.resolve("data"))) {
      X509Certificate root = s.root();
      String est = "https://127.0.0.1:" + s.estPort() + "/.well-known/est";
      HttpClient basic = Est.client(root);
      String auth = Est.basic(s.basicUsername(), s.basicPassword());

      // An IDevID, then a device-id certificate from the first generation through it.
      KeyPair idevidKey = TestPki.key("ec-p256");
      X509Certificate idevid =
          Est.enroll(
                  basic,
                  est + "/idevid/simpleenroll",
                  TestPki.csr(idevidKey, "CN=rolling-device"),
                  "Authorization",
                  auth)
              .leaf();
      List<X509Certificate> idevidChain =
          chain(idevid, s.server().labels().get("idevid").ca().certificate());
      HttpClient withIdevid = Est.client(root, idevidChain, idevidKey.getPrivate());
      KeyPair deviceKey = TestPki.key("ec-p256");
      X509Certificate gen1Cert =
          Est.enroll(
                  withIdevid,
                  est + "/device-id/simpleenroll",
                  TestPki.csr(deviceKey, "CN=rolling-device"))
              .leaf();
      X509Certificate gen1 = s.server().labels().get("device-id").ca().certificate();
      assertThat(gen1Cert.getIssuerX500Principal()).isEqualTo(gen1.getSubjectX500Principal());
      String gen1Id = PublishedCa.of(s.server().labels().get("device-id").ca()).id();

      // 1. Issuing-CA roll while the server runs.
      CaMaintenance ca = maintenance(s);
      ca.roll(ca.caOf("device-id"));
      await()
          .atMost(TAKEN_UP)
          .until(
              () ->
                  subjects(cacerts(basic, est, "device-id")).stream()
                      .anyMatch(n -> n.contains("G2")));
      assertThat(cacerts(basic, est, "device-id"))
          .as("cacerts carries both generations during the overlap")
          .contains(gen1);
      X509Certificate fromGen2 = deviceId(withIdevid, est, "simpleenroll");
      assertThat(fromGen2.getIssuerX500Principal().getName()).contains("G2");
      HttpClient withGen1 = Est.client(root, chain(gen1Cert, gen1), deviceKey.getPrivate());
      X509Certificate renewed = deviceId(withGen1, est, "simplereenroll");
      assertThat(renewed.getIssuerX500Principal().getName())
          .as("a certificate of the old generation renews, from the new one")
          .contains("G2");
      Est.Reply crl =
          Est.get(basic, "https://127.0.0.1:" + s.estPort() + "/pki/crl/" + gen1Id + ".crl");
      assertThat(crl.status())
          .as("the old generation's CRL stays published while it is valid")
          .isEqualTo(200);
      assertThat(auditEvents(s.server().audit())).contains(AuditEvent.CA_KEYS_RELOADED);

      // 2. A keystore that cannot be read: everything stays as it is.
      Path keystore = keystoreOf(s);
      byte[] good = Files.readAllBytes(keystore);
      AtomicFiles.write(keystore, "not a keystore".getBytes(), "rw-------");
      Thread.sleep(2 * 1000 + 500); // two looks at the file
      X509Certificate stillGen2 = deviceId(withIdevid, est, "simpleenroll");
      assertThat(stillGen2.getIssuerX500Principal()).isEqualTo(fromGen2.getIssuerX500Principal());
      AtomicFiles.write(keystore, good, "rw-------");

      // 3. Root roll, then the switch: cacerts gains the links, the TLS certificate moves.
      X509Certificate tlsBefore = presented(s.estPort());
      ca = maintenance(s);
      ca.rollRoot();
      await()
          .atMost(TAKEN_UP)
          .until(
              () ->
                  cacerts(basic, est, "device-id").stream()
                          .filter(
                              c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
                          .count()
                      == 2);
      assertThat(presented(s.estPort())).isEqualTo(tlsBefore);
      ca = maintenance(s);
      ca.switchRoot();
      await().atMost(TAKEN_UP).until(() -> !presented(s.estPort()).equals(tlsBefore));
      X509Certificate tlsAfter = presented(s.estPort());
      assertThat(tlsAfter.getIssuerX500Principal())
          .as("the TLS certificate now comes from the TLS CA under the new root")
          .isNotEqualTo(tlsBefore.getIssuerX500Principal());
      X509Certificate underNewRoot = deviceId(withIdevid, est, "simpleenroll");
      assertThat(underNewRoot.getIssuerX500Principal().getName()).contains("G3");
    }
  }

  /** A device-id certificate for a new key, through {@code client}'s credentials. */
  private static X509Certificate deviceId(HttpClient client, String est, String operation)
      throws Exception {
    return Est.enroll(
            client,
            est + "/device-id/" + operation,
            TestPki.csr(TestPki.key("ec-p256"), "CN=rolling-device"))
        .leaf();
  }

  private static CaMaintenance maintenance(QuickstartServer s) throws Exception {
    return CaMaintenance.open(s.dataDir(), null, Clock.systemUTC(), new SecureRandom());
  }

  private static Path keystoreOf(QuickstartServer s) throws Exception {
    return ServerConfigParser.parse(s.dataDir().resolve("server.toml")).keys().keystore();
  }

  private static List<X509Certificate> cacerts(HttpClient client, String est, String label)
      throws Exception {
    return Est.get(client, est + "/" + label + "/cacerts").certificates();
  }

  private static List<String> subjects(List<X509Certificate> certs) {
    return certs.stream().map(c -> c.getSubjectX500Principal().getName()).toList();
  }

  /** The leaf and its issuing CA, as a device presents them. */
  private static List<X509Certificate> chain(X509Certificate leaf, X509Certificate issuer) {
    return List.of(leaf, issuer);
  }

  private static List<String> auditEvents(AuditLog audit) {
    return audit.latest(AuditLog.Filter.ALL, Long.MAX_VALUE, 100).stream()
        .map(AuditRecord::event)
        .toList();
  }

  /** The certificate the device port presents in a new handshake. */
  private static X509Certificate presented(int port) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
