package dev.estuary.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.est.AttrOrOID;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speaks as Cisco's libest client does (est_client.c / est_client_http.c): TLS 1.2 only; requests
 * with {@code Connection: close} and {@code Accept: *}{@code /*}; the first enrollment without
 * credentials, and after a 401 carrying {@code WWW-Authenticate: Basic realm=...} a second one with
 * Basic on a new connection; the response read to EOF and parsed as libest does: the status line
 * compared by prefix with "HTTP/1.1 200 OK" / "HTTP/1.1 401 Unauthorized" / "HTTP/1.1 204 No
 * Content", at most 16 headers, header names compared case-sensitively, Content-Type compared with
 * the exact media type, Content-Length required (no chunked reader).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LibestStyleClientTest {
  private static final String USER_AGENT = "Cisco EST client 2.0 with BRSKI";
  private static final List<String> TLS12_ONLY = List.of(Wire.TLS12);

  /** libest's est_client_http.c reads at most this many response headers. */
  private static final int LIBEST_MAX_HEADERS = 16;

  @TempDir static Path dir;
  static QuickstartServer server;
  static X509Certificate root;
  static SSLContext anonymous;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(dir);
    root = server.root();
    anonymous = TestPki.tls(root, null, null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** est_client_build_enroll_header, then est_client_add_auth_hdr, then the base64 CSR. */
  private static byte[] enrollRequest(
      String op, String label, String authorization, byte[] csrDer) {
    byte[] body = Wire.base64Lines(csrDer);
    String head =
        "POST /.well-known/est"
            + (label == null ? "" : "/" + label)
            + "/"
            + op
            + " HTTP/1.1\r\n"
            + "User-Agent: "
            + USER_AGENT
            + "\r\n"
            + "Connection: close\r\n"
            + "Host: 127.0.0.1:"
            + server.estPort()
            + "\r\n"
            + "Accept: */*\r\n"
            + "Content-Type: application/pkcs10\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
            + "\r\n";
    return Wire.concat(head, body);
  }

  private static byte[] getRequest(String op, String label) {
    String head =
        "GET /.well-known/est"
            + (label == null ? "" : "/" + label)
            + "/"
            + op
            + " HTTP/1.1\r\n"
            + "User-Agent: "
            + USER_AGENT
            + "\r\n"
            + "Connection: close\r\n"
            + "Host: 127.0.0.1:"
            + server.estPort()
            + "\r\n"
            + "Accept: */*\r\n"
            + "\r\n";
    return head.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** libest is configured with the server's address, 127.0.0.1: the IP SAN must match. */
  private static Wire.Response send(SSLContext tls, byte[] request) throws Exception {
    Wire.Response r = Wire.exchange(tls, "127.0.0.1", server.estPort(), TLS12_ONLY, request);
    assertThat(r.protocol()).isEqualTo(Wire.TLS12);
    assertThat(r.readToEof()).isTrue();
    assertThat(r.headers())
        .as("libest parses at most %d headers", LIBEST_MAX_HEADERS)
        .hasSizeLessThanOrEqualTo(LIBEST_MAX_HEADERS);
    assertThat(r.chunked()).as("libest cannot read a chunked response").isFalse();
    return r;
  }

  /**
   * est_io_check_http_hdrs: exact-name Content-Type equal to the expected type; Content-Length
   * present.
   */
  private static void assertLibestAccepts(Wire.Response r, String expectedType) {
    assertThat(r.statusLine()).startsWith("HTTP/1.1 200 OK");
    assertThat(r.headerExactName("Content-Type")).isEqualTo(expectedType);
    assertThat(r.headerExactName("Content-Length")).isNotNull();
    assertThat(Integer.parseInt(r.headerExactName("Content-Length"))).isEqualTo(r.body().length);
    assertThat(r.headerExactName("Content-Transfer-Encoding")).isEqualTo("base64");
  }

  /**
   * The realm as est_io_parse_auth_tokens reads it (after "Basic", a realm token and its value).
   */
  private static String realm(String challenge) {
    Matcher m = Pattern.compile("realm=\"([^\"]*)\"").matcher(challenge);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void anonymousEnrollIsChallengedThenBasicOnANewConnectionIsServed() throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    byte[] csr = TestPki.csr(key, "CN=libest-device");

    Wire.Response challenge = send(anonymous, enrollRequest("simpleenroll", null, null, csr));
    assertThat(challenge.statusLine()).startsWith("HTTP/1.1 401 Unauthorized");
    String www = challenge.headerExactName("WWW-Authenticate");
    assertThat(www).as("WWW-Authenticate (exact header name)").isNotNull().startsWith("Basic");
    assertThat(realm(www)).isNotBlank();
    assertThat(challenge.headerExactName("Content-Length")).isEqualTo("0");
    assertThat(challenge.body()).isEmpty();

    Wire.Response enrolled =
        send(
            anonymous,
            enrollRequest(
                "simpleenroll",
                null,
                Wire.basic(server.basicUsername(), server.basicPassword()),
                csr));
    assertLibestAccepts(enrolled, "application/pkcs7-mime; smime-type=certs-only");
    List<X509Certificate> certs = Wire.certsInOrder(Wire.stripAndDecode(enrolled.body()));
    assertThat(Wire.cn(certs.getFirst())).isEqualTo("libest-device");
    assertThat(certs.getFirst().getPublicKey()).isEqualTo(key.getPublic());
    assertThat(certs)
        .as("an enroll answer holds only the issued certificate (RFC 7030 §4.2.3)")
        .hasSize(1);
    // libest's est_client_enroll hands back the certificate; the application fetches cacerts for
    // the chain.
    List<X509Certificate> chain = new ArrayList<>(certs);
    chain.addAll(
        Wire.certsInOrder(
            Wire.stripAndDecode(send(anonymous, getRequest("cacerts", null)).body())));
    Wire.assertChainsTo(chain, root);
  }

  @Test
  void wrongBasicPasswordIsA401WithTheChallenge() throws Exception {
    byte[] csr = TestPki.csr(TestPki.key("ec-p256"), "CN=libest-wrong");
    Wire.Response r =
        send(
            anonymous,
            enrollRequest(
                "simpleenroll",
                "idevid",
                Wire.basic(server.basicUsername(), "not-the-password"),
                csr));
    assertThat(r.statusLine()).startsWith("HTTP/1.1 401 Unauthorized");
    assertThat(r.headerExactName("WWW-Authenticate")).startsWith("Basic");
    assertThat(r.headerExactName("Content-Length")).isNotNull();
  }

  @Test
  void cacertsOverTls12() throws Exception {
    Wire.Response r = send(anonymous, getRequest("cacerts", null));
    assertThat(r.statusLine()).startsWith("HTTP/1.1 200 OK");
    assertThat(r.headerExactName("Content-Type")).startsWith("application/pkcs7-mime");
    assertLibestAccepts(r, "application/pkcs7-mime; smime-type=certs-only");
    List<X509Certificate> cas = Wire.certsInOrder(Wire.stripAndDecode(r.body()));
    assertThat(cas.getFirst()).isEqualTo(root);
  }

  @Test
  void csrattrsIsExactlyApplicationCsrattrsInBase64() throws Exception {
    for (String label : Arrays.asList(null, "idevid")) {
      Wire.Response r = send(anonymous, getRequest("csrattrs", label));
      assertLibestAccepts(r, "application/csrattrs");
      CsrAttrs attrs = CsrAttrs.getInstance(Wire.stripAndDecode(r.body()));
      assertThat(attrs.getAttrOrOIDs())
          .filteredOn(AttrOrOID::isOid)
          .extracting(a -> a.getOid().getId())
          .contains("1.2.840.10045.4.3.2");
    }
  }

  @Test
  void csrattrsWithoutAttributesIs204Or404() throws Exception {
    Wire.Response r = send(anonymous, getRequest("csrattrs", "device-id"));
    assertThat(r.statusLine()).matches("HTTP/1\\.1 (204 No Content|404 Not Found)");
  }

  @Test
  void simplereenrollOverTls12WithTheIssuedCertificate() throws Exception {
    Wire.Enrolled idevid = Wire.idevid(server, "libest-reenroll");
    Wire.Enrolled deviceId = Wire.deviceId(server, idevid, "libest-reenroll");
    KeyPair next = TestPki.key("ec-p256");
    Wire.Response r =
        send(
            deviceId.tls(root),
            enrollRequest(
                "simplereenroll", "device-id", null, TestPki.csr(next, "CN=libest-reenroll")));
    assertLibestAccepts(r, "application/pkcs7-mime; smime-type=certs-only");
    List<X509Certificate> certs = Wire.certsInOrder(Wire.stripAndDecode(r.body()));
    assertThat(certs.getFirst().getSubjectX500Principal())
        .isEqualTo(deviceId.leaf().getSubjectX500Principal());
    assertThat(certs.getFirst().getPublicKey()).isEqualTo(next.getPublic());
    assertThat(certs).as("only the issued certificate").hasSize(1);
    List<X509Certificate> chain = new ArrayList<>(certs);
    chain.addAll(
        Wire.certsInOrder(
            Wire.stripAndDecode(send(anonymous, getRequest("cacerts", "device-id")).body())));
    Wire.assertChainsTo(chain, root);
  }
}
