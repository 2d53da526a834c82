package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [tls] provider = "conscrypt"}: the same wire behaviour on BoringSSL — the seed's commands,
 * mTLS with an IDevID, TLS 1.2 and TLS 1.3 — and client certificates still reach the labels.
 */
@Timeout(120)
class ConscryptProviderTest {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static Path work;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"), QuickstartServer.tlsProvider("conscrypt"));
    work = Files.createDirectories(tmp.resolve("work"));
    SeedFlow.run(work, server.estUrl(), server.rootPem(), server.factorySecret());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theDevicePortReallyRunsOnConscrypt() {
    assertThat(server.server().tlsProviderName()).isEqualTo("Conscrypt");
  }

  @Test
  void seedCommandsWorkAndMtlsReachesTheLabel() throws Exception {
    X509Certificate cert = MutualTlsTest.deviceId(server, work, "device", "conscrypt-device");

    assertThat(Pkix.cn(cert)).isEqualTo("conscrypt-device");
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(cert.getSerialNumber())
                .orElseThrow()
                .gate())
        .isEqualTo("mtls");
  }

  @Test
  void tls12AndTls13AreBothServed() {
    for (String version : new String[] {"--tlsv1.2 --tls-max 1.2", "--tlsv1.3"}) {
      Curl.Reply r =
          Curl.request(work, server.rootPem(), version, MutualTlsTest.est(server) + "/cacerts");
      assertThat(r.status()).as(version).isEqualTo(200);
      assertThat(r.headers()).contains("application/pkcs7-mime; smime-type=certs-only");
    }
  }
}
