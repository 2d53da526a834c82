package dev.estuary.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.Serials;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.auth.Credentials;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.Gate;
import dev.estuary.server.auth.Principals;
import dev.estuary.server.est.EstHandler;
import dev.estuary.server.issuance.IssuanceService;
import dev.estuary.server.policy.Label;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.JdbiBindingStore;
import dev.estuary.server.store.JdbiCertificateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

/**
 * Fuzz target (issue 10): a whole HTTP request into the EST handler, in process (Jetty's
 * LocalConnector: no socket), with a real label, issuance service and H2 store behind it. The input
 * is "METHOD PATH", header lines, an empty line and the body; the request is sent with its
 * Content-Length. Any 5xx answer is a finding. A label gate lets a request with a {@code
 * Secret-Value} header through, so that the CSR parser is reached. Inputs: {@code
 * EstRequestFuzzTestInputs/request/}.
 */
class EstRequestFuzzTest {
  private static final LocalConnector CONNECTOR;

  static {
    try {
      Clock clock = Clock.systemUTC();
      SecureRandom random = new SecureRandom();
      IssuingCa ca =
          IssuingCa.createRoot(
              "fuzz",
              new X500Name("CN=Fuzz CA"),
              KeyPairs.generate("ec-p256", random),
              Duration.ofDays(30),
              Instant.now(),
              new Serials(random, clock));
      Gate anySecret =
          new Gate() {
            @Override
            public String name() {
              return "secret";
            }

            @Override
            public Optional<Caller> authenticate(Credentials credentials, String label) {
              return credentials.secretValue() == null
                  ? Optional.empty()
                  : Optional.of(
                      new Caller(
                          "secret",
                          "fuzz",
                          Principals.ofSecret("fuzz"),
                          List.of(),
                          null,
                          null,
                          null));
            }
          };
      Label label =
          new Label(
              "fuzz",
              ca,
              CertificateProfile.clientIdentity(Duration.ofDays(1)),
              KeyPolicy.DEFAULT,
              List.of(anySecret),
              true,
              64,
              null);
      Database db =
          Database.open(
              "jdbc:h2:mem:est-fuzz-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
      var meters = new SimpleMeterRegistry();
      IssuanceService issuance =
          new IssuanceService(
              new JdbiCertificateStore(db.jdbi()),
              new JdbiBindingStore(db.jdbi()),
              new Serials(random, clock),
              clock,
              meters);
      EstHandler handler =
          new EstHandler(
              Map.of("fuzz", label),
              "fuzz",
              issuance,
              65536,
              new FailedAuthLimiter(clock, 0, Duration.ofMinutes(1)),
              meters);
      Server server = new Server();
      CONNECTOR = new LocalConnector(server);
      server.addConnector(CONNECTOR);
      server.setHandler(handler);
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void request(byte[] input) throws Exception {
    byte[] request = wellFormed(input);
    if (request == null) {
      return; // not a request line we can send; Jetty's own parser is not the target
    }
    ByteBuffer answer = CONNECTOR.getResponse(ByteBuffer.wrap(request), 5, TimeUnit.SECONDS);
    assertThat(answer).as("an answer").isNotNull();
    String text = StandardCharsets.ISO_8859_1.decode(answer).toString();
    assertThat(text).startsWith("HTTP/1.1 ");
    int status = Integer.parseInt(text.substring(9, 12));
    assertThat(status)
        .as("status for %s", new String(request, StandardCharsets.ISO_8859_1))
        .isLessThan(500);
  }

  /**
   * "METHOD PATH\nHeader: v\n...\n\nbody" as an HTTP/1.1 request with Host, Content-Length,
   * Connection: close.
   */
  static byte[] wellFormed(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\n\n");
    String head = headEnd < 0 ? text : text.substring(0, headEnd);
    byte[] body = headEnd < 0 ? new byte[0] : Arrays.copyOfRange(input, headEnd + 2, input.length);
    String[] lines = head.split("\n");
    String[] first = lines[0].split(" ");
    if (first.length != 2
        || !first[0].matches("[A-Z]{1,10}")
        || !first[1].matches("/[\\x21-\\x7e]{0,2000}")) {
      return null;
    }
    StringBuilder b =
        new StringBuilder(first[0])
            .append(' ')
            .append(first[1])
            .append(" HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 1; i < lines.length; i++) {
      String h = lines[i];
      int colon = h.indexOf(':');
      if (colon <= 0
          || !h.substring(0, colon).matches("[A-Za-z0-9-]{1,64}")
          || !h.matches("[\\x20-\\x7e]*")
          || h.regionMatches(true, 0, "Content-Length", 0, 14)
          || h.regionMatches(true, 0, "Transfer-Encoding", 0, 17)
          || h.regionMatches(true, 0, "Connection", 0, 10)
          || h.regionMatches(true, 0, "Host", 0, 4)) {
        continue;
      }
      b.append(h).append("\r\n");
    }
    b.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(body);
    return out.toByteArray();
  }
}
