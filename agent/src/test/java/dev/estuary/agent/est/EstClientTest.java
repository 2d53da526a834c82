package dev.estuary.agent.est;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.estuary.agent.config.BasicAuth;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.ScriptedEstServer.Answer;
import dev.estuary.agent.testing.ScriptedEstServer.Request;
import dev.estuary.agent.testing.ScriptedEstServer.Response;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.CsrBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EstClient} against a scripted HTTPS server on 127.0.0.1: what it sends, how it reads each
 * kind of answer, and how each failure is classified and worded.
 */
class EstClientTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final BasicAuth BASIC = new BasicAuth("gateway-7", "s3cret-do-not-print");
  private static final EstIdentity ANONYMOUS = EstIdentity.basicOnly(Optional.empty());

  private static TestCa ca;
  private static ScriptedEstServer server;
  private static X509Certificate caCert;
  private static X509Certificate issuing;
  private static KeyPair deviceKey;
  private static X509Certificate deviceCert;

  private EstClient client;

  @BeforeAll
  static void startServer() throws Exception {
    ca = new TestCa();
    server = ScriptedEstServer.start(ca);
    caCert = ca.certificate();
    issuing = ca.client("an intermediate stand-in", TestCa.newKey().getPublic());
    deviceKey = TestCa.newKey();
    deviceCert = ca.client("my-device-id", deviceKey.getPublic());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void freshScriptAndClient() {
    server.reset();
    client = clientWithTimeout(TIMEOUT);
  }

  @Test
  void cacertsReturnsTheCertificatesInTheServersOrder() throws Exception {
    server.then(Answer.with(Response.certs(issuing, caCert, deviceCert)));

    assertThat(client.caCerts(server.base(), ANONYMOUS))
        .containsExactly(issuing, caCert, deviceCert);
  }

  @Test
  void readsAnAnswerInOneLongBase64LineWithoutLineBreaks() throws Exception {
    byte[] oneLine = Base64.getEncoder().encode(CertsOnlyPkcs7.encode(List.of(caCert, issuing)));
    server.then(Answer.with(Response.ok(Response.CERTS_ONLY, oneLine)));

    assertThat(client.caCerts(server.base(), ANONYMOUS)).containsExactly(caCert, issuing);
  }

  @Test
  void simpleEnrollReturnsTheIssuedCertificateFirst() throws Exception {
    server.then(Answer.with(Response.certs(deviceCert, caCert)));

    assertThat(client.simpleEnroll(server.base(), csr(), ANONYMOUS))
        .containsExactly(deviceCert, caCert);
  }

  @Test
  void refusesA200WhoseContentTypeIsNotPkcs7() {
    server.then(
        Answer.with(
            Response.ok("text/html", "<html>login</html>".getBytes(StandardCharsets.UTF_8))));

    EstException e = caCertsFailure(client);

    assertThat(e.kind()).isEqualTo(EstException.Kind.BAD_RESPONSE);
    assertThat(e.getMessage()).contains("Content-Type 'text/html'");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"not base64 at all!", "bm90IGEgUEtDUyM3IHN0cnVjdHVyZQ=="})
  void refusesA200WhoseBodyIsGarbageBase64OrGarbageDer(String body) {
    server.then(
        Answer.with(Response.ok(Response.CERTS_ONLY, body.getBytes(StandardCharsets.US_ASCII))));

    EstException e = caCertsFailure(client);

    assertThat(e.kind()).isEqualTo(EstException.Kind.BAD_RESPONSE);
    assertThat(e.getMessage()).startsWith("GET " + server.base() + "/cacerts: unusable answer: ");
  }

  @Test
  void a500IsAServerErrorWithoutRetryAfter() {
    server.then(Answer.with(Response.text(500, "database down")));

    EstException e = caCertsFailure(client);

    assertThat(e.kind()).isEqualTo(EstException.Kind.SERVER_ERROR);
    assertThat(e.status()).isEqualTo(500);
    assertThat(e.getMessage()).endsWith("/cacerts: 500 database down");
    assertThat(e.retryAfter()).isEmpty();
  }

  static Stream<Arguments> retryAfters() {
    String inNinetySeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.ofInstant(NOW.plusSeconds(90), ZoneOffset.UTC));
    return Stream.of(
        Arguments.of(503, "120", EstException.Kind.SERVER_ERROR, Duration.ofSeconds(120)),
        Arguments.of(429, "30", EstException.Kind.RATE_LIMITED, Duration.ofSeconds(30)),
        Arguments.of(429, inNinetySeconds, EstException.Kind.RATE_LIMITED, Duration.ofSeconds(90)));
  }

  @ParameterizedTest(name = "{0} with Retry-After: {1}")
  @MethodSource("retryAfters")
  void keepsTheRetryAfterOfA503OrA429InSecondsOrAsAnHttpDate(
      int status, String header, EstException.Kind kind, Duration wait) {
    server.then(Answer.with(Response.text(status, "later").with("Retry-After", header)));

    EstException e = caCertsFailure(client);

    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.retryAfter()).contains(wait);
  }

  @Test
  void a202AwaitingApprovalIsTreatedAsRateLimitedWithItsRetryAfter() {
    server.then(Answer.with(new Response(202, Map.of("Retry-After", "600"), new byte[0])));

    EstException e = enrollFailure(client, ANONYMOUS);

    assertThat(e.kind()).isEqualTo(EstException.Kind.RATE_LIMITED);
    assertThat(e.status()).isEqualTo(202);
    assertThat(e.retryAfter()).contains(Duration.ofMinutes(10));
    assertThat(e.getMessage()).contains("202, the request awaits approval");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {401, 403})
  void a401Or403IsARefusalCarryingTheServersReason(int status) {
    server.then(
        Answer.with(Response.text(status, "the bootstrap certificate is revoked\nsecond line")));

    EstException e = enrollFailure(client, ANONYMOUS);

    assertThat(e.kind()).isEqualTo(EstException.Kind.REFUSED);
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.getMessage())
        .isEqualTo(
            "POST "
                + server.base()
                + "/simpleenroll: "
                + status
                + " the bootstrap certificate is revoked");
  }

  @Test
  void aLongReasonIsCutAt200CharactersAndControlCharactersAreReplaced() {
    String reason = "red\u001b[31m alert\u0007 " + "x".repeat(300);
    server.then(Answer.with(Response.text(403, reason)));

    String message = enrollFailure(client, ANONYMOUS).getMessage();

    String shown = message.substring(message.indexOf(" 403 ") + 5);
    assertThat(shown)
        .startsWith("red?[31m alert? xxx")
        .endsWith("x…")
        .hasSize(201)
        .doesNotContain("\u001b", "\u0007");
  }

  @Test
  void aRedirectIsNotFollowedButReportedAsABadResponse() {
    server.then(
        Answer.with(
            new Response(302, Map.of("Location", "https://elsewhere.invalid/"), new byte[0])));

    EstException e = caCertsFailure(client);

    assertThat(e.kind()).isEqualTo(EstException.Kind.BAD_RESPONSE);
    assertThat(e.status()).isEqualTo(302);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void aClosedPortIsUnreachableWithConnectionRefused() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }

    EstException e =
        catchEst(
            () ->
                client.caCerts(
                    URI.create("https://127.0.0.1:" + closedPort + "/.well-known/est"), ANONYMOUS));

    assertThat(e.kind()).isEqualTo(EstException.Kind.UNREACHABLE);
    assertThat(e.status()).isZero();
    assertThat(e.getMessage()).endsWith(": connection refused");
  }

  @Test
  void aServerCertificateFromAnotherRootIsUnreachableForTls() {
    EstClient trustingAnotherRoot =
        new EstClient(
            List.of(new TestCa("Another Root").certificate()),
            TIMEOUT,
            Clock.fixed(NOW, ZoneOffset.UTC));

    EstException e = caCertsFailure(trustingAnotherRoot);

    assertThat(e.kind()).isEqualTo(EstException.Kind.UNREACHABLE);
    assertThat(e.getMessage()).contains("TLS failed");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aServerCertificateForAnotherHostIsUnreachable() throws Exception {
    try (ScriptedEstServer elsewhere =
        ScriptedEstServer.start(
            ca.server(new GeneralName(GeneralName.dNSName, "est.example.com")))) {
      EstException e = catchEst(() -> client.caCerts(elsewhere.base(), ANONYMOUS));

      assertThat(e.kind()).isEqualTo(EstException.Kind.UNREACHABLE);
      assertThat(e.getMessage()).contains("TLS failed").contains("127.0.0.1");
      assertThat(elsewhere.requests()).isEmpty();
    }
  }

  @Test
  void aServerSlowerThanTheTimeoutIsUnreachableWithNoAnswerWithin() {
    server.then(server.hanging());

    EstException e = caCertsFailure(clientWithTimeout(Duration.ofSeconds(1)));

    assertThat(e.kind()).isEqualTo(EstException.Kind.UNREACHABLE);
    assertThat(e.getMessage()).endsWith(": no answer within 1 s");
  }

  @Test
  void aServerThatStallsInTheMiddleOfItsAnswerIsUnreachableWithNoCompleteAnswer() {
    server.then(
        Answer.with(
            Response.ok(Response.CERTS_ONLY, "MIIB".getBytes(StandardCharsets.US_ASCII))
                .stalling()));

    EstException e = caCertsFailure(clientWithTimeout(Duration.ofSeconds(1)));

    assertThat(e.kind()).isEqualTo(EstException.Kind.UNREACHABLE);
    assertThat(e.getMessage())
        .as("the whole exchange is bounded: connection, then answer")
        .endsWith(": no complete answer within 2 s");
  }

  @Test
  void refusesAnAnswerLargerThanTheCap() {
    byte[] huge = new byte[EstClient.MAX_ANSWER_BYTES + 1];
    Arrays.fill(huge, (byte) 'A');
    server.then(Answer.with(Response.ok(Response.CERTS_ONLY, huge)));

    EstException e = caCertsFailure(client);

    assertThat(e.kind()).isEqualTo(EstException.Kind.BAD_RESPONSE);
    assertThat(e.getMessage())
        .contains("the answer is larger than " + EstClient.MAX_ANSWER_BYTES + " bytes");
  }

  @Test
  void simpleEnrollSendsTheCsrAsBase64WithItsMediaTypeAndNoAccept() throws Exception {
    byte[] csr = csr();
    server.then(Answer.with(Response.certs(deviceCert)));

    client.simpleEnroll(server.base("device-id"), csr, ANONYMOUS);

    Request sent = server.onlyRequest();
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.uri().getPath()).isEqualTo("/.well-known/est/device-id/simpleenroll");
    assertThat(sent.header("Accept")).isEmpty();
    assertThat(sent.header("Content-Type")).contains("application/pkcs10");
    assertThat(Base64.getMimeDecoder().decode(sent.body())).isEqualTo(csr);
    assertThat(sent.header("Authorization")).isEmpty();
  }

  @Test
  void sendsBasicExactlyAsUserColonPasswordOnEnrollAndOnCacertsToo() throws Exception {
    server.always(Answer.with(Response.certs(deviceCert)));
    EstIdentity basic = EstIdentity.basicOnly(Optional.of(BASIC));

    client.simpleEnroll(server.base(), csr(), basic);
    client.caCerts(server.base(), basic);

    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("gateway-7:s3cret-do-not-print".getBytes(StandardCharsets.UTF_8));
    assertThat(server.requests()).extracting(Request::method).containsExactly("POST", "GET");
    assertThat(server.requests())
        .allSatisfy(r -> assertThat(r.header("Authorization")).contains(expected));
  }

  @Test
  void presentsTheIdentitysClientCertificateWhenItHasOne() throws Exception {
    server.then(Answer.with(Response.certs(caCert)));
    EstIdentity withCertificate =
        new EstIdentity(List.of(deviceCert), deviceKey.getPrivate(), Optional.empty(), "est-id");

    client.caCerts(server.base(), withCertificate);

    assertThat(server.onlyRequest().clientCertificate()).contains(deviceCert);
  }

  @Test
  void presentsNoClientCertificateWithoutOne() throws Exception {
    server.then(Answer.with(Response.certs(caCert)));

    client.caCerts(server.base(), EstIdentity.basicOnly(Optional.of(BASIC)));

    assertThat(server.onlyRequest().clientCertificate()).isEmpty();
  }

  @Test
  void probeReportsTheCaCertsAndTheServersDate() throws Exception {
    server.then(Answer.with(Response.certs(caCert)));
    Instant before = Instant.now().minusSeconds(1);

    EstClient.Probe probe = client.probe(server.base(), ANONYMOUS);

    assertThat(probe.caCerts()).containsExactly(caCert);
    assertThat(probe.serverDate())
        .hasValueSatisfying(d -> assertThat(d).isBetween(before, Instant.now().plusSeconds(1)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "https://est.example.com/.well-known/est, https://est.example.com/.well-known/est/cacerts",
    "https://est.example.com/.well-known/est/, https://est.example.com/.well-known/est/cacerts",
    "https://est.example.com/.well-known/est//, https://est.example.com/.well-known/est/cacerts",
    "https://est.example.com:8443/.well-known/est/edge-ca, https://est.example.com:8443/.well-known/est/edge-ca/cacerts",
    "https://est.example.com:8443/.well-known/est/edge-ca/, https://est.example.com:8443/.well-known/est/edge-ca/cacerts",
  })
  void operationJoinsTheBaseUrlWhateverItsTrailingSlashes(String base, String expected) {
    assertThat(EstClient.operation(URI.create(base), "cacerts")).isEqualTo(URI.create(expected));
  }

  @Test
  void noMessageEverCarriesTheBasicPassword() throws Exception {
    EstIdentity basic = EstIdentity.basicOnly(Optional.of(BASIC));
    String encoded =
        Base64.getEncoder()
            .encodeToString("gateway-7:s3cret-do-not-print".getBytes(StandardCharsets.UTF_8));
    List<Response> failures =
        List.of(
            Response.text(401, "wrong password for gateway-7"),
            Response.text(500, "boom"),
            Response.ok("text/plain", "nope".getBytes(StandardCharsets.US_ASCII)),
            Response.ok(Response.CERTS_ONLY, "####".getBytes(StandardCharsets.US_ASCII)));
    for (Response failure : failures) {
      server.then(Answer.with(failure));
      assertThat(enrollFailure(client, basic).getMessage())
          .doesNotContain(BASIC.password())
          .doesNotContain(encoded);
    }
    EstClient distrusting =
        new EstClient(
            List.of(new TestCa("Another Root").certificate()),
            TIMEOUT,
            Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(catchEst(() -> distrusting.caCerts(server.base(), basic)).getMessage())
        .doesNotContain(BASIC.password())
        .doesNotContain(encoded);
  }

  private static EstClient clientWithTimeout(Duration timeout) {
    return new EstClient(List.of(ca.certificate()), timeout, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static byte[] csr() throws Exception {
    return CsrBuilder.build(
        "my-device-id",
        CsrBuilder.Kind.CLIENT_IDENTITY,
        deviceKey.getPublic(),
        deviceKey.getPrivate(),
        null);
  }

  private static EstException caCertsFailure(EstClient c) {
    return catchEst(() -> c.caCerts(server.base(), ANONYMOUS));
  }

  private static EstException enrollFailure(EstClient c, EstIdentity who) {
    return catchEst(() -> c.simpleEnroll(server.base(), csr(), who));
  }

  private static EstException catchEst(ThrowableAssert.ThrowingCallable call) {
    EstException e = catchThrowableOfType(EstException.class, call);
    assertThat(e).as("an EstException").isNotNull();
    return e;
  }
}
