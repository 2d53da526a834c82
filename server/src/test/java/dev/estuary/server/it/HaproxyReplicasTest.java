package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.Replicas;
import dev.estuary.server.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md "Running several replicas": the shipped packaging/haproxy/haproxy.cfg (TCP
 * mode, TLS passed through) in front of two replicas on one PostgreSQL, on loopback; curl enrolls
 * through it as the seed scenario does, and both replicas served some of the enrollments.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HaproxyReplicasTest {
  @TempDir Path tmp;

  @Test
  void curlEnrollsThroughHaproxyAndBothReplicasServe() throws Exception {
    try (Replicas r = Replicas.start(tmp, 2)) {
      QuickstartServer a = r.get(0);
      QuickstartServer b = r.get(1);
      int front = freePort();
      String cfg =
          Files.readString(Path.of("..", "packaging", "haproxy", "haproxy.cfg"))
              .replace("127.0.0.1:8443", "127.0.0.1:" + front)
              .replace("127.0.0.1:18443", "127.0.0.1:" + a.estPort())
              .replace("127.0.0.1:28443", "127.0.0.1:" + b.estPort());
      Path dir = Files.createDirectories(tmp.resolve("haproxy"));
      Files.writeString(dir.resolve("haproxy.cfg"), cfg);
      Shell.ok(dir, "haproxy -c -f haproxy.cfg");
      Process haproxy =
          new ProcessBuilder("haproxy", "-db", "-f", "haproxy.cfg")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("haproxy.log").toFile())
              .start();
      try {
        awaitListening(front);
        Dps dps = new Dps(a);
        String secret =
            dps.admin("POST", "/api/v1/secrets", "{\"label\":\"idevid\"}")
                .json()
                .get("secret")
                .asText();
        Pkix.writePem(dir.resolve("root.pem"), a.root());
        for (int i = 0; i < 6; i++) {
          Files.write(
              dir.resolve("csr" + i + ".b64"),
              Est.base64(TestPki.csr(TestPki.key("ec-p256"), "CN=through-haproxy-" + i)));
          Shell.Result enrolled =
              Shell.ok(
                  dir,
                  "curl -sS --fail --cacert root.pem -H 'Content-Type: application/pkcs10'"
                      + " -H 'Secret-Value: "
                      + secret
                      + "' --data-binary @csr"
                      + i
                      + ".b64 https://localhost:"
                      + front
                      + "/.well-known/est/idevid/simpleenroll");
          assertThat(enrolled.stdout()).isNotBlank();
        }
        assertThat(issued(a)).as("replica A served enrollments").isPositive();
        assertThat(issued(b)).as("replica B served enrollments").isPositive();
        assertThat(issued(a) + issued(b)).isEqualTo(6.0);
      } finally {
        haproxy.destroy();
        haproxy.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static double issued(QuickstartServer s) {
    double total = 0;
    for (String line : s.server().metrics().scrape().split("\n")) {
      if (line.startsWith("estuary_certificates_issued_total{")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitListening(int port) throws Exception {
    Instant until = Instant.now().plus(Duration.ofSeconds(20));
    while (true) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        if (Instant.now().isAfter(until)) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
