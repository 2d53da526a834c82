package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, point 5: slow clients are cut (a real socket dripping one byte a second, with short
 * deadlines configured), one address holds a bounded number of connections, request-derived strings
 * cannot forge log lines, an aborted DPS upload is one WARN line, and the admin API and DPS refuse
 * bad input with a 400 rather than a 500 or a wrong value.
 */
@Timeout(120)
class ConnectionsAndLogsTest {
  static final int MAX_PER_ADDRESS = 6;

  @TempDir static Path tmp;
  static QuickstartServer server;
  static Dps dps;
  static ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server =
        QuickstartServer.start(
            tmp.resolve("data"),
            t ->
                t
                    + "\n[connections]\nheader_timeout = \"2s\"\nrequest_timeout = \"4s\"\nmax_per_address = "
                    + MAX_PER_ADDRESS
                    + "\n");
    dps = new Dps(server);
    logs.start();
    // The server's refusals are INFO lines, and tests log WARN by default: capture INFO here, in
    // this appender only (not on the console).
    Logger estuary = (Logger) LoggerFactory.getLogger("dev.estuary");
    estuary.setLevel(ch.qos.logback.classic.Level.INFO);
    estuary.setAdditive(false);
    estuary.addAppender(logs);
  }

  @AfterAll
  static void stop() throws Exception {
    Logger estuary = (Logger) LoggerFactory.getLogger("dev.estuary");
    estuary.detachAppender(logs);
    estuary.setAdditive(true);
    estuary.setLevel(null);
    if (server != null) {
      server.close();
    }
  }

  SSLSocket connect() throws Exception {
    SSLSocket socket =
        (SSLSocket)
            TestPki.tls(server.root(), null, null)
                .getSocketFactory()
                .createSocket("127.0.0.1", server.estPort());
    socket.setSoTimeout(15_000);
    socket.startHandshake();
    return socket;
  }

  /** Writes {@code bytes} one a second until the server closes; how many it took. */
  static int drip(SSLSocket socket, byte[] bytes) throws Exception {
    OutputStream out = socket.getOutputStream();
    for (int i = 0; i < bytes.length; i++) {
      try {
        out.write(bytes[i]);
        out.flush();
      } catch (IOException e) {
        return i;
      }
      if (closedByServer(socket, 1000)) {
        return i + 1;
      }
    }
    return bytes.length;
  }

  /**
   * Waits up to {@code millis} for the server to close (EOF or reset); an answer fails the test.
   */
  static boolean closedByServer(SSLSocket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      InputStream in = socket.getInputStream();
      int b = in.read();
      if (b >= 0) {
        throw new AssertionError(
            "the server answered (first byte '"
                + (char) b
                + "') instead of closing the slow connection");
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException | SSLException e) {
      return true;
    }
  }

  @Test
  void aRequestHeadDrippedOneByteASecondIsCut() throws Exception {
    byte[] head =
        ("POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/pkcs10\r\n"
                + "X-Padding: "
                + "a".repeat(60)
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    try (SSLSocket socket = connect()) {
      int sent = drip(socket, head);
      // a 2 s header deadline: cut after a few bytes, long before the idle timeout (30 s) would
      assertThat(sent)
          .as("bytes the server took before closing")
          .isLessThan(head.length)
          .isLessThan(15);
    }
    assertStillServing();
  }

  @Test
  void aBodyDrippedOneByteASecondIsCutAndLoggedAsOneWarning() throws Exception {
    byte[] head =
        ("PUT /"
                + dps.scope()
                + "/registrations/dripper/register?api-version=2021-06-01 HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    int before = size();
    try (SSLSocket socket = connect()) {
      socket.getOutputStream().write(head);
      int sent =
          drip(
              socket,
              "{\"registrationId\":\"dripper\",\"payload\":\""
                  .concat("x".repeat(160))
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(sent)
          .as("body bytes the server took before closing (4 s request deadline)")
          .isLessThan(15);
    }
    assertStillServing();
    assertNoErrorSince(before);
  }

  @Test
  void anAbortedDpsUploadIsOneWarningNotAnError() throws Exception {
    int before = size();
    byte[] head =
        ("PUT /"
                + dps.scope()
                + "/registrations/quitter/register?api-version=2021-06-01 HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"registrationId\":\"quitter\",")
            .getBytes(StandardCharsets.US_ASCII);
    try (SSLSocket socket = connect()) {
      socket.getOutputStream().write(head);
      socket.getOutputStream().flush();
      Thread.sleep(200); // the handler is reading the body
    } // closed mid-body
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(since(before))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getLevel()).isEqualTo(Level.WARN);
                          assertThat(e.getFormattedMessage())
                              .contains("could not be read")
                              .contains("quitter");
                          assertThat(e.getThrowableProxy()).as("no stack trace").isNull();
                        }));
    assertNoErrorSince(before);
  }

  @Test
  void oneAddressHoldsAtMostTheConfiguredConnections() throws Exception {
    List<SSLSocket> held = new ArrayList<>();
    int refused = 0;
    try {
      // Opened quickly (well within the 2 s header deadline): past the limit, the server closes
      // the connection as it opens, so the handshake fails.
      for (int i = 0; i < MAX_PER_ADDRESS + 2; i++) {
        try {
          held.add(connect());
        } catch (IOException e) {
          refused++;
        }
      }
      assertThat(held.size())
          .as("connections held from 127.0.0.1")
          .isLessThanOrEqualTo(MAX_PER_ADDRESS);
      assertThat(refused)
          .as("connections refused past %d", MAX_PER_ADDRESS)
          .isGreaterThanOrEqualTo(2);
    } finally {
      for (SSLSocket s : held) {
        s.close();
      }
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(this::assertStillServing);
  }

  @Test
  void crAndLfInACsrCommonNameDoNotForgeLogLines() throws Exception {
    int before = size();
    String forged = "evil\r\n12:00:00.000 INFO  EstHandler - forged line";
    Est.Reply r;
    try (HttpClient client = Est.client(server.root())) {
      r =
          Est.enroll(
              client,
              server.labelUrl("idevid") + "simpleenroll",
              csrWithCn(forged),
              "Secret-Value",
              server.factorySecret());
    }
    var device = EstEnrollment.deviceId(server, "log-liar");
    String csr = Base64.getEncoder().encodeToString(csrWithCn(forged));
    Dps.Reply d = dps.register(dps.device(device), "log-liar", "{\"csr\":\"" + csr + "\"}");
    assertThat(d.status()).as("%s", d).isEqualTo(400);
    List<ILoggingEvent> lines = since(before);
    assertThat(lines).as("log lines since the requests").isNotEmpty();
    for (ILoggingEvent e : lines) {
      assertThat(e.getFormattedMessage())
          .as("a log line")
          .doesNotContain("\r")
          .doesNotContain("\n");
    }
    // DPS's refusal names the CN, escaped
    assertThat(lines)
        .anySatisfy(
            e -> assertThat(e.getFormattedMessage()).contains("evil\\r\\n12:00:00.000 INFO"));
    if (r.status()
        == 200) { // issued (no subject policy refused it): the issuance line names it, escaped
      assertThat(lines)
          .filteredOn(e -> e.getFormattedMessage().startsWith("issued label=idevid"))
          .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("evil\\r\\n12:00"));
    }
  }

  /** A CSR whose CN is exactly {@code cn}, control characters included. */
  static byte[] csrWithCn(String cn) throws Exception {
    var key = TestPki.key("ec-p256");
    var subject = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(cn))});
    var builder = new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic());
    return builder
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
        .getEncoded();
  }

  // --- admin input and DPS JSON ---

  @Test
  void anAbsurdExpiryIsA400NotA500() throws Exception {
    Dps.Reply r =
        dps.admin(
            "POST",
            "/api/v1/secrets",
            "{\"label\":\"idevid\",\"expires\":\"999999999999d\"}",
            "Content-Type",
            "application/json");
    assertThat(r.status()).as("%s", r).isEqualTo(400);
    assertThat(r.json().get("error").asText())
        .contains("'expires'")
        .contains("longest secret lifetime");
  }

  @Test
  void usesThatDoNotFitAreA400NotStoredAsOne() throws Exception {
    Dps.Reply r =
        dps.admin(
            "POST",
            "/api/v1/secrets",
            "{\"label\":\"idevid\",\"uses\":4294967297}",
            "Content-Type",
            "application/json");
    assertThat(r.status()).as("%s", r).isEqualTo(400);
    assertThat(r.json().get("error").asText())
        .contains("'uses' must be a whole number from 1 to 2147483647");
    Dps.Reply fraction =
        dps.admin(
            "POST",
            "/api/v1/secrets",
            "{\"label\":\"idevid\",\"uses\":1.5}",
            "Content-Type",
            "application/json");
    assertThat(fraction.status()).isEqualTo(400);
  }

  @Test
  void dpsJsonWithTrailingGarbageOrDuplicateKeysIsRefused() throws Exception {
    String scope = dps.scope();
    // no certificate needed to see the parse: the precheck refuses first, so present one
    var device = EstEnrollment.deviceId(server, "strict-json");
    HttpClient client = dps.device(device);
    Dps.Reply trailing =
        dps.register(
            client,
            scope,
            "strict-json",
            "{\"registrationId\":\"strict-json\"} garbage",
            Dps.API_VERSION);
    ProvisioningDeviceApiTest.assertError(trailing, 400, 400004, "the body is not JSON");
    Dps.Reply duplicate =
        dps.register(
            client,
            scope,
            "strict-json",
            "{\"registrationId\":\"strict-json\",\"registrationId\":\"strict-json\"}",
            Dps.API_VERSION);
    ProvisioningDeviceApiTest.assertError(
        duplicate, 400, 400004, "Duplicate field 'registrationId'");
  }

  void assertStillServing() throws Exception {
    try (HttpClient client = Est.client(server.root())) {
      assertThat(Est.get(client, server.labelUrl("idevid") + "cacerts").status()).isEqualTo(200);
    }
  }

  /** The appender adds under its own lock (AppenderBase.doAppend is synchronized). */
  static List<ILoggingEvent> since(int before) {
    synchronized (logs) {
      return List.copyOf(logs.list.subList(before, logs.list.size()));
    }
  }

  static int size() {
    synchronized (logs) {
      return logs.list.size();
    }
  }

  static void assertNoErrorSince(int before) {
    assertThat(since(before)).noneSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.ERROR));
  }
}
