package dev.estuary.cli.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstException;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.pki.Pem;
import dev.estuary.server.it.SeedFlow;
import dev.estuary.server.it.Shell;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.testing.QuickstartServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, point 2: every edge device holds an Edge CA key under the root that agents trust for
 * the server. A certificate for the server's name minted with that key must not pass for the
 * server: the Edge CA carries the server's names as excluded name constraints, and the agent wants
 * a SAN-named end entity. Each forged server is a real {@code openssl s_server} on loopback; the
 * agent's own EST client and {@code openssl s_client -verify_hostname} (a second opinion) connect.
 */
@Timeout(180)
class EdgeCaImpersonationIT {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static Path dir;
  static String est;

  @BeforeAll
  static void deviceWithAnEdgeCa() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    dir = Files.createDirectories(tmp.resolve("device"));
    SeedFlow.run(dir, server.estUrl(), server.rootPem(), server.factorySecret());
    est = "https://localhost:" + server.estPort() + "/.well-known/est";
    // The Edge CA, as the seed's device gets it (real openssl and curl over mTLS with the IDevID),
    // and the chain its label's cacerts serves.
    edgeCa("edge-ca", "aziot-edge CA my-device");
    Shell.ok(
        dir,
        "curl -s --cacert "
            + server.rootPem()
            + " "
            + est
            + "/edge-ca/cacerts"
            + " | openssl base64 -d | openssl pkcs7 -inform DER -print_certs > edge-ca-issuers.pem");
  }

  private static void edgeCa(String name, String cn) {
    edgeCaCsr(name, cn);
    Shell.ok(
        dir,
        "curl -sf --cacert "
            + server.rootPem()
            + " --cert IDevID.cert.pem --key IDevID.key.pem -X POST"
            + " --data-binary @"
            + name
            + ".csr -H 'Content-Type: application/pkcs10' "
            + est
            + "/edge-ca/simpleenroll"
            + " | openssl base64 -d | openssl pkcs7 -inform DER -print_certs | openssl x509 -out "
            + name
            + ".pem");
  }

  private static void edgeCaCsr(String name, String cn) {
    Shell.ok(
        dir,
        "openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj '/CN="
            + cn
            + "'"
            + " -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' -addext 'keyUsage=critical,digitalSignature,keyCertSign'"
            + " -keyout "
            + name
            + ".key -out "
            + name
            + ".csr");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /**
   * A server certificate for {@code subject} with {@code extensions}, signed with the Edge CA's
   * key.
   */
  private static void mint(String name, String subject, String extensions) {
    Shell.ok(
        dir,
        "openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj '"
            + subject
            + "'"
            + " -keyout "
            + name
            + ".key -out "
            + name
            + ".csr");
    Shell.ok(
        dir,
        "printf '"
            + extensions
            + "' > "
            + name
            + ".ext && openssl x509 -req -in "
            + name
            + ".csr"
            + " -CA edge-ca.pem -CAkey edge-ca.key -set_serial 0x"
            + Long.toHexString(System.nanoTime())
            + " -days 30 -extfile "
            + name
            + ".ext -out "
            + name
            + ".pem");
    Shell.ok(dir, "cat edge-ca.pem edge-ca-issuers.pem > " + name + ".chain.pem");
  }

  @Test
  void aServerCertificateForTheServersNamesMintedWithAnEdgeCaKeyIsRefused() throws Exception {
    mint(
        "forged-san",
        "/CN=localhost",
        "subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\nbasicConstraints=critical,CA:FALSE\\n");

    try (TlsServer forged =
        TlsServer.start("forged-san.pem", "forged-san.key", "forged-san.chain.pem")) {
      // OpenSSL does not hold a common name to DNS name constraints and accepts this one: the
      // agent's own rule (a SAN names the host) is what refuses it (docs/security.md).
      assertRefusedInTheHandshake(forged.port);
    }
  }

  @Test
  void aCommonNameOnlyCertificateMintedWithAnEdgeCaKeyIsRefused() throws Exception {
    mint(
        "forged-cn",
        "/CN=localhost",
        "extendedKeyUsage=serverAuth\\nbasicConstraints=critical,CA:FALSE\\n");

    try (TlsServer forged =
        TlsServer.start("forged-cn.pem", "forged-cn.key", "forged-cn.chain.pem")) {
      // OpenSSL does not hold a common name to DNS name constraints and accepts this one: the
      // agent's own rule (a SAN names the host) is what refuses it (docs/security.md).
      assertRefusedInTheHandshake(forged.port);
    }
  }

  /**
   * An Edge CA requested with the server's name as its common name (OpenSSL would accept it as the
   * server's certificate, CA or not) is not issued: no certificate names the server.
   */
  @Test
  void anEdgeCaNamedLikeTheServerIsNotIssued() {
    edgeCaCsr("edge-ca-named-localhost", "localhost");

    Shell.Result r =
        Shell.run(
            dir,
            "curl -s -w '\\n%{http_code}' --cacert "
                + server.rootPem()
                + " --cert IDevID.cert.pem --key IDevID.key.pem -X POST --data-binary @edge-ca-named-localhost.csr"
                + " -H 'Content-Type: application/pkcs10' "
                + est
                + "/edge-ca/simpleenroll");

    assertThat(r.stdout())
        .as(r.describe())
        .endsWith("\n403")
        .contains("the common name 'localhost' is this server's name");
  }

  /**
   * The control: the same harness serving the quickstart's own TLS key and certificate is trusted
   * by both clients, so the refusals above come from the forged certificates, not the harness.
   */
  @Test
  void theServersOwnCertificateServedTheSameWayIsTrusted() throws Exception {
    writeQuickstartTlsIdentity();

    try (TlsServer genuine = TlsServer.start("tls.pem", "tls.key", "tls.chain.pem")) {
      // s_server -www answers with an HTML page, not PKCS#7: the handshake passed, the answer did
      // not.
      assertThatThrownBy(() -> agentCaCerts(genuine.port))
          .isInstanceOfSatisfying(
              EstException.class,
              e -> assertThat(e.kind()).isNotEqualTo(EstException.Kind.UNREACHABLE));
      Shell.Result openssl = sClient(genuine.port);
      assertThat(openssl.exitCode()).as(openssl.describe()).isZero();
      assertThat(openssl.stdout()).contains("Verify return code: 0 (ok)");
    }
  }

  @Test
  void theQuickstartServersCertificateComesFromAnIssuingCaThatIssuesNothingToDevices()
      throws Exception {
    KeyStore ks = quickstartKeystore();
    Certificate[] tlsChain = ks.getCertificateChain("tls");
    Certificate tlsCa = ks.getCertificateChain(Quickstart.TLS_CA)[0];

    assertThat(tlsChain[1]).isEqualTo(tlsCa);
    for (String label : Quickstart.LABELS) {
      assertThat(server.server().labels().get(label).ca().certificate()).isNotEqualTo(tlsCa);
    }
  }

  /** The agent's EST client ends the handshake: the certificate is not trusted ("TLS failed"). */
  private static void assertRefusedInTheHandshake(int port) {
    assertThatThrownBy(() -> agentCaCerts(port))
        .isInstanceOfSatisfying(
            EstException.class, e -> assertThat(e.kind()).isEqualTo(EstException.Kind.UNREACHABLE))
        .hasMessageContaining("TLS failed");
  }

  private static List<?> agentCaCerts(int port) throws Exception {
    EstClient client =
        new EstClient(List.of(server.root()), Duration.ofSeconds(10), Clock.systemUTC());
    return client.caCerts(
        URI.create("https://localhost:" + port + "/.well-known/est/"),
        EstIdentity.basicOnly(Optional.empty()));
  }

  private static KeyStore quickstartKeystore() throws Exception {
    char[] pass =
        Files.readString(server.dataDir().resolve("keys/keystore.pass")).strip().toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(server.dataDir().resolve("keys/ca-keys.p12"))) {
      ks.load(in, pass);
    }
    return ks;
  }

  private static void writeQuickstartTlsIdentity() throws Exception {
    KeyStore ks = quickstartKeystore();
    char[] pass =
        Files.readString(server.dataDir().resolve("keys/keystore.pass")).strip().toCharArray();
    Key key = ks.getKey("tls", pass);
    Files.writeString(
        dir.resolve("tls.key"),
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    Certificate[] chain = ks.getCertificateChain("tls");
    Files.writeString(dir.resolve("tls.pem"), Pem.encode((X509Certificate) chain[0]));
    StringBuilder rest = new StringBuilder();
    for (int i = 1; i < chain.length; i++) {
      rest.append(Pem.encode((X509Certificate) chain[i]));
    }
    Files.writeString(dir.resolve("tls.chain.pem"), rest);
  }

  /** {@code openssl s_client} with host name verification against the quickstart root. */
  private static Shell.Result sClient(int port) {
    return Shell.run(
        dir,
        "echo | timeout 20 openssl s_client -connect 127.0.0.1:"
            + port
            + " -servername localhost -verify_hostname localhost -CAfile "
            + server.rootPem()
            + " -verify_return_error");
  }

  /** {@code openssl s_server} on 127.0.0.1 with a certificate, its key and the chain it sends. */
  private static final class TlsServer implements AutoCloseable {
    final Process process;
    final int port;

    private TlsServer(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static TlsServer start(String cert, String key, String chain)
        throws IOException, InterruptedException {
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      List<String> command =
          new ArrayList<>(
              List.of(
                  "openssl",
                  "s_server",
                  "-accept",
                  "127.0.0.1:" + port,
                  "-cert",
                  cert,
                  "-key",
                  key,
                  "-cert_chain",
                  chain,
                  "-www",
                  "-quiet"));
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("s_server-" + port + ".log").toFile())
              .start();
      TlsServer s = new TlsServer(p, port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        try (Socket probe = new Socket()) {
          probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
          return s;
        } catch (IOException notYet) {
          if (!p.isAlive()) {
            break;
          }
          Thread.sleep(50);
        }
      }
      s.close();
      throw new IOException(
          "openssl s_server did not listen on "
              + port
              + ": "
              + Files.readString(dir.resolve("s_server-" + port + ".log")));
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
