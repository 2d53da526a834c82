package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.IssuingCa;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, point 5: bad input gets the right status and a text/plain reason that names the problem,
 * no stack trace, nothing is issued, and the server keeps serving.
 */
@Timeout(60)
class BadInputTest {
  static final int CAP = 64 * 1024;

  @TempDir static Path tmp;
  static QuickstartServer server;
  static String est;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    est = "https://127.0.0.1:" + server.estPort() + "/.well-known/est";
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static long issued() {
    return server.server().certificates().count();
  }

  static String[] secret() {
    return new String[] {"Secret-Value", server.factorySecret()};
  }

  static byte[] goodCsr(String cn) {
    return TestPki.csr(TestPki.key("ec-p256"), "CN=" + cn);
  }

  /** The status, a text/plain reason containing each fragment, and no stack trace. */
  static void assertRefused(Est.Reply r, int status, String... fragments) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
    assertThat(r.contentType()).as("%s", r).startsWith("text/plain");
    for (String f : fragments) {
      assertThat(r.text()).as("reason").containsIgnoringCase(f);
    }
    assertNoStackTrace(r);
  }

  static void assertNoStackTrace(Est.Reply r) {
    assertThat(r.text())
        .doesNotContain("Exception", "\tat ", "at dev.estuary", "at java.", "at org.", "Caused by");
  }

  /** Nothing was issued since {@code before}; the server still answers cacerts and issues. */
  static void assertNothingIssuedAndStillServing(long before) throws Exception {
    assertThat(issued()).as("certificates issued by the refused request").isEqualTo(before);
    try (HttpClient fresh = Est.client(server.root())) {
      assertThat(Est.get(fresh, est + "/cacerts").certificates()).contains(server.root());
      Est.Reply ok = Est.enroll(fresh, est + "/simpleenroll", goodCsr("still-serving"), secret());
      assertThat(Pkix.cn(ok.leaf())).isEqualTo("still-serving");
    }
    assertThat(issued()).isEqualTo(before + 1);
  }

  /**
   * Sends one request on a client of its own (its own connection): a refusal that leaves the body
   * unread can leave a dead pooled connection behind (see
   * aClientThatSendsTheWholeBodyFirstStillGetsThe413), which must not make another check fail.
   */
  static Est.Reply once(HttpRequest request) throws Exception {
    try (HttpClient client = Est.client(server.root())) {
      return Est.send(client, request);
    }
  }

  static Est.Reply get(String path, String... headers) throws Exception {
    return once(Est.request(est + path, headers).GET().build());
  }

  static Est.Reply post(String path, byte[] body, String... headers) throws Exception {
    return once(
        Est.request(est + path, headers)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  /** POSTs {@code body} to the unlabeled simpleenroll as {@code application/pkcs10}. */
  static Est.Reply postRaw(byte[] body, String... headers) throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = Est.PKCS10;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return post("/simpleenroll", body, all);
  }

  // --- the body ---

  @Test
  void garbageBase64() throws Exception {
    long before = issued();
    Est.Reply r =
        postRaw("this is *not* base64 at all!\n".getBytes(StandardCharsets.US_ASCII), secret());
    assertRefused(r, 400, "not base64");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void validBase64OfGarbageDer() throws Exception {
    long before = issued();
    Est.Reply r =
        postRaw(
            Est.base64(
                "not a certification request, just bytes".getBytes(StandardCharsets.US_ASCII)),
            secret());
    assertRefused(r, 400, "not a DER PKCS#10");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void csrWhoseSubjectWasChangedAfterSigning() throws Exception {
    long before = issued();
    byte[] csr = goodCsr("tamper-target-0");
    int at = indexOf(csr, "tamper-target-0".getBytes(StandardCharsets.US_ASCII));
    assertThat(at).isPositive();
    csr[at + "tamper-target-".length()] = '1';
    Est.Reply r = postRaw(Est.base64(csr), secret());
    assertRefused(r, 400, "signature does not verify", "proof of possession");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void csrWithATamperedSignature() throws Exception {
    long before = issued();
    byte[] csr = goodCsr("bad-signature");
    csr[csr.length - 1] ^= 0x01; // the last octet of the ECDSA signature's s
    Est.Reply r = postRaw(Est.base64(csr), secret());
    assertRefused(r, 400, "signature");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void rsa1024KeyIsRefused() throws Exception {
    long before = issued();
    Est.Reply r =
        postRaw(Est.base64(TestPki.csr(TestPki.key("rsa-1024"), "CN=weak-rsa")), secret());
    assertRefused(r, 400, "RSA 1024", "not accepted");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void ecP192KeyIsRefused() throws Exception {
    long before = issued();
    Est.Reply r = postRaw(Est.base64(TestPki.csr(TestPki.key("ec-p192"), "CN=weak-ec")), secret());
    assertRefused(r, 400, "P-192", "not accepted");
    assertNothingIssuedAndStillServing(before);
  }

  /** Base64 text (so that, were it read, it would be a 400, not a 413) of {@code size} bytes. */
  static byte[] oversizedBody(int size) {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'A');
    for (int i = 64; i < size; i += 65) {
      body[i] = '\n';
    }
    return body;
  }

  /** curl POSTs {@code size} bytes of base64 text, with Content-Length or chunked. */
  static Curl.Reply curlOversized(Path work, int size, boolean chunked) throws Exception {
    Files.write(work.resolve("big.b64"), oversizedBody(size));
    return Curl.request(
        work,
        server.rootPem(),
        "-X POST --data-binary @big.b64 -H 'Content-Type: application/pkcs10' -H 'Secret-Value: "
            + server.factorySecret()
            + "'"
            + (chunked ? " -H 'Transfer-Encoding: chunked'" : ""),
        est + "/simpleenroll");
  }

  static void assertCurlRefused(Curl.Reply r, int status, String... fragments) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
    assertThat(r.headers()).containsIgnoringCase("content-type: text/plain");
    for (String f : fragments) {
      assertThat(r.text()).containsIgnoringCase(f);
    }
    assertThat(r.text()).doesNotContain("Exception", "\tat ", "at dev.estuary");
  }

  @Test
  void bodyOverTheCapWithContentLength(@TempDir Path work) throws Exception {
    long before = issued();
    for (int size : new int[] {CAP + 1, CAP + 4096, 256 * 1024}) {
      Curl.Reply r = curlOversized(work, size, false);
      assertCurlRefused(r, 413, String.valueOf(CAP));
    }
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void chunkedBodyOverTheCap(@TempDir Path work) throws Exception {
    long before = issued();
    for (int size : new int[] {CAP + 1, CAP + 4096, 256 * 1024}) {
      Curl.Reply r = curlOversized(work, size, true);
      assertCurlRefused(r, 413, String.valueOf(CAP));
    }
    assertNothingIssuedAndStillServing(before);
  }

  /**
   * java.net.http (like most HTTP client libraries) writes the whole body before it reads the
   * answer. A server that answers 413 and closes with the body unread resets the connection, and
   * the client never sees the 413: it must drain (a bounded amount of) the body first.
   */
  @Test
  void aClientThatSendsTheWholeBodyFirstStillGetsThe413() throws Exception {
    long before = issued();
    byte[] body = oversizedBody(512 * 1024);
    for (int attempt = 0; attempt < 5; attempt++) {
      for (boolean chunked : new boolean[] {false, true}) {
        HttpRequest.BodyPublisher publisher =
            chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        assertThat(publisher.contentLength() < 0).as("sent chunked").isEqualTo(chunked);
        try (HttpClient client = Est.client(server.root())) {
          Est.Reply r;
          try {
            r =
                Est.post(
                    client,
                    est + "/simpleenroll",
                    publisher,
                    "Content-Type",
                    Est.PKCS10,
                    "Secret-Value",
                    server.factorySecret());
          } catch (IOException e) {
            throw new AssertionError(
                (chunked ? "chunked" : "Content-Length")
                    + " body of "
                    + body.length
                    + " bytes: the connection failed instead of answering 413: "
                    + e,
                e);
          }
          assertRefused(r, 413, String.valueOf(CAP));
        }
      }
    }
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void chunkedBodyUnderTheCapIsAccepted() throws Exception {
    // The control for the tests above: chunking itself is fine.
    byte[] body = Est.base64(goodCsr("chunked-ok"));
    HttpRequest.BodyPublisher chunked =
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    Est.Reply r =
        once(
            Est.request(
                    est + "/simpleenroll",
                    "Content-Type",
                    Est.PKCS10,
                    "Secret-Value",
                    server.factorySecret())
                .POST(chunked)
                .build());
    assertThat(Pkix.cn(r.leaf())).isEqualTo("chunked-ok");
  }

  // --- bootstrap secrets and passwords ---

  @Test
  void wrongSecret() throws Exception {
    long before = issued();
    String id = server.factorySecret().substring(0, server.factorySecret().indexOf('.'));
    for (String wrong :
        List.of(id + ".ABCDEFGHJKLMNPQRSTUVWXYZabcdefgh", "nothing-like-a-secret")) {
      Est.Reply r = postRaw(Est.base64(goodCsr("wrong-secret")), "Secret-Value", wrong);
      assertRefused(r, 401, "not a valid bootstrap secret");
      assertThat(r.text()).doesNotContain(wrong);
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
    }
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void expiredSecret() throws Exception {
    var expired =
        server
            .server()
            .minter()
            .bootstrapSecret("idevid", null, Instant.now().minus(Duration.ofMinutes(1)));
    long before = issued();
    Est.Reply r = postRaw(Est.base64(goodCsr("expired-secret")), "Secret-Value", expired.value());
    assertRefused(r, 401, "expired", expired.stored().id());
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void usedUpSecret() throws Exception {
    var once = server.server().minter().bootstrapSecret("idevid", 1, null);
    Est.Reply first = postRaw(Est.base64(goodCsr("one-use")), "Secret-Value", once.value());
    assertThat(Pkix.cn(first.leaf())).isEqualTo("one-use");
    long before = issued();
    Est.Reply second = postRaw(Est.base64(goodCsr("second-use")), "Secret-Value", once.value());
    assertRefused(second, 401, "used up", once.stored().id());
    assertThat(
            server
                .server()
                .credentials()
                .findSecret(once.stored().id())
                .orElseThrow()
                .usesRemaining())
        .isZero();
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void noCredentialsGetsABareBasicChallenge() throws Exception {
    long before = issued();
    Est.Reply r = postRaw(Est.base64(goodCsr("anonymous")));
    assertThat(r.status()).as("%s", r).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm=\""));
    assertThat(r.body())
        .as("libest and Bouncy Castle retry with Basic after an empty 401")
        .isEmpty();
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void wrongBasicPassword() throws Exception {
    long before = issued();
    Est.Reply r =
        postRaw(
            Est.base64(goodCsr("wrong-password")),
            "Authorization",
            Est.basic(server.basicUsername(), "not-the-password"));
    assertRefused(r, 401, "wrong username or password");
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm=\""));
    assertNothingIssuedAndStillServing(before);
  }

  // --- client certificates ---

  static Est.Reply enrollWithClientCertificate(
      X509Certificate cert, KeyPair key, String label, String cn) throws Exception {
    try (HttpClient client = Est.client(server.root(), List.of(cert), key.getPrivate())) {
      return Est.enroll(client, est + "/" + label + "/simpleenroll", goodCsr(cn));
    }
  }

  @Test
  void clientCertificateFromAnUnknownCa() throws Exception {
    IssuingCa stranger = Pkix.strangerCa("Some Other Factory CA");
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    X509Certificate cert =
        Pkix.clientCertificate(
            stranger,
            key,
            "imposter",
            now.minus(Duration.ofMinutes(5)),
            now.plus(Duration.ofDays(1)));
    long before = issued();
    Est.Reply r = enrollWithClientCertificate(cert, key, "device-id", "imposter");
    assertRefused(r, 401, "not issued by a CA trusted here", "Some Other Factory CA");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void expiredClientCertificate() throws Exception {
    IssuingCa idevidCa = Pkix.serverCa(server.dataDir(), "idevid-ca");
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    // Control: the same CA's certificate, in date, is accepted; so the refusal below is the date.
    X509Certificate valid =
        Pkix.clientCertificate(
            idevidCa, key, "in-date", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)));
    assertThat(Pkix.cn(enrollWithClientCertificate(valid, key, "device-id", "in-date").leaf()))
        .isEqualTo("in-date");

    X509Certificate expired =
        Pkix.clientCertificate(
            idevidCa,
            key,
            "expired-idevid",
            now.minus(Duration.ofDays(30)),
            now.minus(Duration.ofDays(1)));
    long before = issued();
    Est.Reply r = enrollWithClientCertificate(expired, key, "device-id", "expired-idevid");
    assertRefused(r, 401, "expired");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void noClientCertificateOnAnMtlsOnlyLabel() throws Exception {
    long before = issued();
    Est.Reply r =
        post("/device-id/simpleenroll", Est.base64(goodCsr("no-cert")), "Content-Type", Est.PKCS10);
    assertRefused(r, 401, "TLS client certificate");
    assertNothingIssuedAndStillServing(before);
  }

  // --- the request line and headers ---

  @Test
  void unknownLabel() throws Exception {
    long before = issued();
    Est.Reply enroll =
        post(
            "/no-such-label/simpleenroll",
            Est.base64(goodCsr("nowhere")),
            "Content-Type",
            Est.PKCS10,
            "Secret-Value",
            server.factorySecret());
    assertRefused(
        enroll, 404, "unknown EST label 'no-such-label'", "device-id", "edge-ca", "idevid");
    assertRefused(get("/no-such-label/cacerts"), 404, "no-such-label");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void wrongMethod() throws Exception {
    long before = issued();
    Est.Reply getEnroll = get("/simpleenroll", secret());
    assertRefused(getEnroll, 405, "GET", "POST");
    assertThat(getEnroll.headers().firstValue("Allow")).hasValue("POST");
    Est.Reply put =
        once(
            Est.request(est + "/device-id/simplereenroll", "Content-Type", Est.PKCS10)
                .method("PUT", HttpRequest.BodyPublishers.ofByteArray(Est.base64(goodCsr("put"))))
                .build());
    assertRefused(put, 405, "PUT");
    assertThat(put.headers().firstValue("Allow")).hasValue("POST");
    Est.Reply postCacerts = post("/cacerts", new byte[0], secret());
    assertRefused(postCacerts, 405, "POST", "GET");
    assertThat(postCacerts.headers().firstValue("Allow")).hasValue("GET");
    assertNothingIssuedAndStillServing(before);
  }

  @Test
  void wrongContentType() throws Exception {
    long before = issued();
    Est.Reply r =
        post(
            "/simpleenroll",
            Est.base64(goodCsr("json")),
            "Content-Type",
            "application/json",
            "Secret-Value",
            server.factorySecret());
    assertRefused(r, 415, "application/json", "application/pkcs10");
    assertNothingIssuedAndStillServing(before);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
