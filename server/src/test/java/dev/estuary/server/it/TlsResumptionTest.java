package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.server.http.HttpsServer;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS session resumption on the device port (issue 15; what a renewing agent does, docs/agent.md):
 * a client that connects again with the same TLS context resumes its session from the server's
 * ticket; the server counts full and resumed handshakes apart ({@code
 * estuary_tls_handshakes_total}) and still authenticates the session's client certificate at every
 * request, so a certificate revoked after the session was made is refused on a resumed connection.
 */
@Timeout(120)
class TlsResumptionTest {
  @TempDir static Path tmp;
  static QuickstartServer server;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static long handshakes(boolean resumed) {
    return server.server().https().handshakes(HttpsServer.DEVICE, resumed);
  }

  /** A simplereenroll over a new connection (a new client) with {@code tls}. */
  private static HttpResponse<byte[]> reenroll(SSLContext tls, String cn) throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    try (HttpClient client =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build()) {
      return client.send(
          HttpRequest.newBuilder(URI.create(server.labelUrl("device-id") + "simplereenroll"))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/pkcs10")
              .POST(
                  HttpRequest.BodyPublishers.ofByteArray(
                      EstBase64.encode(TestPki.csr(key, "CN=" + cn))))
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }
  }

  @Test
  void aSecondConnectionResumesAndTheServerStillAuthenticatesItsCertificate() throws Exception {
    EstEnrollment.Enrolled device = EstEnrollment.deviceId(server, "resuming-device");
    SSLContext tls = TestPki.tls(server.root(), device.chain(), device.key().getPrivate());

    long fullBefore = handshakes(false);
    long resumedBefore = handshakes(true);
    HttpResponse<byte[]> first = reenroll(tls, "resuming-device");
    assertThat(first.statusCode()).as(new String(first.body())).isEqualTo(200);
    assertThat(handshakes(false)).isEqualTo(fullBefore + 1);
    assertThat(handshakes(true)).isEqualTo(resumedBefore);

    HttpResponse<byte[]> second = reenroll(tls, "resuming-device");
    assertThat(second.statusCode())
        .as(new String(second.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(handshakes(true)).as("the second connection resumed").isEqualTo(resumedBefore + 1);
    assertThat(handshakes(false)).isEqualTo(fullBefore + 1);
    // Issued to the device the session's certificate names: the renewal kept its subject.
    assertThat(
            CertsOnlyPkcs7.decode(EstBase64.decode(second.body()))
                .getFirst()
                .getSubjectX500Principal()
                .getName())
        .isEqualTo("CN=resuming-device");

    // Revoked after the session was made: a resumed connection is refused all the same.
    assertThat(
            server
                .server()
                .certificates()
                .revoke(device.leaf().getSerialNumber(), "keyCompromise", Instant.now()))
        .isTrue();
    HttpResponse<byte[]> afterRevocation = reenroll(tls, "resuming-device");
    assertThat(handshakes(true)).isEqualTo(resumedBefore + 2);
    assertThat(afterRevocation.statusCode()).isEqualTo(401);
    assertThat(new String(afterRevocation.body(), StandardCharsets.UTF_8)).contains("revoked");
  }
}
