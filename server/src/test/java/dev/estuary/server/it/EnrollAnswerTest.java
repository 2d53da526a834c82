package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, point 6: a successful simpleenroll or simplereenroll answer is a certs-only response
 * "containing only the certificate that was issued" (RFC 7030 §4.2.3), which GlobalSign's EST
 * client insists on; the chain is what cacerts serves.
 */
@Timeout(120)
class EnrollAnswerTest {
  static QuickstartServer server;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.shared();
  }

  @Test
  void simpleenrollAnswersWithExactlyTheIssuedCertificate() throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    try (HttpClient client = Est.client(server.root())) {
      Est.Reply r =
          Est.enroll(
              client,
              server.labelUrl("idevid") + "simpleenroll",
              TestPki.csr(key, "CN=one-certificate"),
              "Secret-Value",
              server.factorySecret());
      List<X509Certificate> certs = r.certificates();
      assertThat(certs).hasSize(1);
      assertThat(certs.getFirst().getPublicKey()).isEqualTo(key.getPublic());
      assertThat(server.server().certificates().findBySerial(certs.getFirst().getSerialNumber()))
          .isPresent();
      // The chain is cacerts': the issuing CA of this certificate is there.
      List<X509Certificate> cacerts =
          Est.get(client, server.labelUrl("idevid") + "cacerts").certificates();
      assertThat(cacerts)
          .anySatisfy(
              ca ->
                  assertThat(ca.getSubjectX500Principal())
                      .isEqualTo(certs.getFirst().getIssuerX500Principal()));
    }
  }

  @Test
  void simplereenrollAnswersWithExactlyTheIssuedCertificate() throws Exception {
    EstEnrollment.Enrolled deviceId = EstEnrollment.deviceId(server, "one-certificate-again");
    KeyPair next = TestPki.key("ec-p256");
    try (HttpClient client =
        Est.client(server.root(), deviceId.chain(), deviceId.key().getPrivate())) {
      Est.Reply r =
          Est.enroll(
              client,
              server.labelUrl("device-id") + "simplereenroll",
              TestPki.csr(next, "CN=one-certificate-again"));
      assertThat(r.certificates()).hasSize(1);
      assertThat(r.leaf().getPublicKey()).isEqualTo(next.getPublic());
    }
  }
}
