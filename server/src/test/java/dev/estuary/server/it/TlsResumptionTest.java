package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS session resumption on the device port (issue 15; what a renewing agent does, docs/agent.md):
 * a client that connects again with the same TLS context resumes its session from the server's
 * ticket (its connection carries the session the first one made), and the server still
 * authenticates the session's client certificate at every request, so a certificate revoked after
 * the session was made is refused on a resumed connection. The control: another context with the
 * same identity makes a new session. On both TLS providers: Conscrypt issues no tickets unless
 * asked ({@code TlsContextFactory}).
 */
@Timeout(120)
class TlsResumptionTest {
  @TempDir Path tmp;

  /**
   * When the TLS session of {@code r}'s connection was made: a resumed one keeps its first time.
   */
  private static long sessionMade(HttpResponse<?> r) {
    return r.sslSession().orElseThrow().getCreationTime();
  }

  /** A simplereenroll over a new connection (a new client) with {@code tls}. */
  private static HttpResponse<byte[]> reenroll(QuickstartServer server, SSLContext tls, String cn)
      throws Exception {
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

  @ParameterizedTest(name = "provider = {0}")
  @ValueSource(strings = {"jdk", "conscrypt"})
  void aSecondConnectionResumesAndTheServerStillAuthenticatesItsCertificate(String provider)
      throws Exception {
    try (QuickstartServer server =
        QuickstartServer.start(tmp.resolve("data"), QuickstartServer.tlsProvider(provider))) {
      assertThat(server.server().tlsProviderName())
          .isEqualTo(provider.equals("jdk") ? "SunJSSE" : "Conscrypt");
      resumesAndStillAuthenticates(server);
    }
  }

  private static void resumesAndStillAuthenticates(QuickstartServer server) throws Exception {
    EstEnrollment.Enrolled device = EstEnrollment.deviceId(server, "resuming-device");
    SSLContext tls = TestPki.tls(server.root(), device.chain(), device.key().getPrivate());

    HttpResponse<byte[]> first = reenroll(server, tls, "resuming-device");
    assertThat(first.statusCode()).as(new String(first.body())).isEqualTo(200);
    Thread.sleep(20); // a full handshake now would make its session at a later millisecond

    HttpResponse<byte[]> second = reenroll(server, tls, "resuming-device");
    assertThat(second.statusCode())
        .as(new String(second.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(sessionMade(second))
        .as("the second connection resumed the first one's session")
        .isEqualTo(sessionMade(first));
    // Issued to the device the session's certificate names: the renewal kept its subject.
    assertThat(
            CertsOnlyPkcs7.decode(EstBase64.decode(second.body()))
                .getFirst()
                .getSubjectX500Principal()
                .getName())
        .isEqualTo("CN=resuming-device");

    // The control: another context with the same identity has no session to resume.
    HttpResponse<byte[]> fresh =
        reenroll(
            server,
            TestPki.tls(server.root(), device.chain(), device.key().getPrivate()),
            "resuming-device");
    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(sessionMade(fresh)).isNotEqualTo(sessionMade(first));

    // Revoked after the session was made: a resumed connection is refused all the same.
    assertThat(
            server
                .server()
                .certificates()
                .revoke(device.leaf().getSerialNumber(), "keyCompromise", Instant.now()))
        .isTrue();
    HttpResponse<byte[]> afterRevocation = reenroll(server, tls, "resuming-device");
    assertThat(sessionMade(afterRevocation)).isEqualTo(sessionMade(first));
    assertThat(afterRevocation.statusCode()).isEqualTo(401);
    assertThat(new String(afterRevocation.body(), StandardCharsets.UTF_8)).contains("revoked");
  }
}
