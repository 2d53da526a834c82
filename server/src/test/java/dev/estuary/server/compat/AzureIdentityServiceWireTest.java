package dev.estuary.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sends byte for byte what the Azure IoT identity service (aziot-certd's est.rs, hyper 0.14 over
 * OpenSSL) sends, and reads the answer the way it does.
 *
 * <p>On the wire: header names in lower case (hyper writes them so), {@code authorization} first
 * when Basic is configured (on cacerts too), then {@code content-type: application/pkcs10} and
 * {@code content-transfer-encoding: base64}, then {@code host}, then {@code content-length}; no
 * Accept header; the body is the DER CSR in base64, 64 columns, every line ended by "\n". The URL
 * is the configured one with "/" appended when missing, then "simpleenroll" or "cacerts".
 *
 * <p>The answer is accepted only when the status is 200 and the Content-Type is {@code
 * application/pkcs7-mime} or starts with {@code application/pkcs7-mime;} (case-sensitive); the body
 * is whitespace-stripped and base64-decoded (older releases instead wrap it between PEM armour
 * lines, which needs the body to end with a newline), the first certificate is the leaf, and the
 * stored chain is the enrollment's certificates followed by cacerts'.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AzureIdentityServiceWireTest {
  private static final String CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";

  @TempDir static Path dir;
  static QuickstartServer server;
  static X509Certificate root;
  static SSLContext anonymous;
  static Wire.Enrolled idevid;

  /** aziot-edged's Edge CA key; generated once (RSA key generation is the slow part). */
  static KeyPair edgeCaKey;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(dir);
    root = server.root();
    anonymous = TestPki.tls(root, null, null);
    idevid = Wire.idevid(server, "my-device-id");
    edgeCaKey = TestPki.key("rsa-2048");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // ---- what aziot-certd sends ----

  /** aziot's URL rule: the configured URL, "/" appended when missing, then the operation. */
  private static String target(String configuredUrl, String operation) {
    String uri = configuredUrl.endsWith("/") ? configuredUrl : configuredUrl + "/";
    return URI.create(uri + operation).getRawPath();
  }

  private static String host() {
    return "localhost:" + server.estPort();
  }

  private static String basicHeader() {
    return Wire.basic(server.basicUsername(), server.basicPassword());
  }

  static byte[] simpleEnrollRequest(String configuredUrl, String authorization, byte[] csrDer) {
    byte[] body = Wire.base64Lines(csrDer);
    StringBuilder head = new StringBuilder();
    head.append("POST ").append(target(configuredUrl, "simpleenroll")).append(" HTTP/1.1\r\n");
    if (authorization != null) {
      head.append("authorization: ").append(authorization).append("\r\n");
    }
    head.append("content-type: application/pkcs10\r\n");
    head.append("content-transfer-encoding: base64\r\n");
    head.append("host: ").append(host()).append("\r\n");
    head.append("content-length: ").append(body.length).append("\r\n");
    head.append("\r\n");
    return Wire.concat(head.toString(), body);
  }

  static byte[] caCertsRequest(String configuredUrl, String authorization) {
    StringBuilder head = new StringBuilder();
    head.append("GET ").append(target(configuredUrl, "cacerts")).append(" HTTP/1.1\r\n");
    if (authorization != null) {
      head.append("authorization: ").append(authorization).append("\r\n");
    }
    head.append("host: ").append(host()).append("\r\n");
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  // ---- how aziot-certd reads the answer ----

  /** get_pkcs7_response: 200 only, a pkcs7-mime content type, the certificates in order. */
  /**
   * What aziot-certd stores (cert/aziot-certd/src/est.rs): the enroll answer's certificates
   * followed by those of cacerts at the same label URL.
   */
  List<X509Certificate> asAziotStores(
      List<X509Certificate> issued, String protocol, String labelUrl) throws Exception {
    List<X509Certificate> stored = new ArrayList<>(issued);
    stored.addAll(readPkcs7(send(anonymous, protocol, caCertsRequest(labelUrl, null))));
    return stored;
  }

  static List<X509Certificate> readPkcs7(Wire.Response r) throws Exception {
    assertThat(r.status())
        .as("aziot accepts only 200; got %s: %s", r.statusLine(), r.bodyText())
        .isEqualTo(200);
    String type = r.header("Content-Type");
    assertThat(type).isNotNull();
    assertThat(type.equals("application/pkcs7-mime") || type.startsWith("application/pkcs7-mime;"))
        .as("Content-Type '%s' as aziot checks it", type)
        .isTrue();
    // Estuary's exact answer, which libest and Bouncy Castle compare literally.
    assertThat(type).isEqualTo(CERTS_ONLY);
    assertThat(r.headers("Content-Type")).hasSize(1);
    assertThat(r.header("Content-Transfer-Encoding")).isEqualTo("base64");
    assertThat(r.header("Content-Length")).as("Content-Length").isNotNull();
    assertThat(r.chunked()).as("chunked response").isFalse();
    assertThat(Integer.parseInt(r.header("Content-Length"))).isEqualTo(r.body().length);
    // Older aziot-certd wraps the body in "-----BEGIN PKCS7-----\n" ... "-----END PKCS7-----\n":
    // the END line only starts a line when the body ends with a newline; OpenSSL's PEM reader
    // wants lines of at most 64 characters.
    String text = new String(r.body(), StandardCharsets.US_ASCII);
    assertThat(text).endsWith("\n");
    assertThat(text.split("\n"))
        .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
    List<X509Certificate> certs = Wire.certsInOrder(Wire.stripAndDecode(r.body()));
    assertThat(certs).isNotEmpty();
    return certs;
  }

  private static Wire.Response send(SSLContext tls, String protocol, byte[] request)
      throws Exception {
    Wire.Response r = Wire.exchange(tls, server.estPort(), List.of(protocol), request);
    assertThat(r.protocol()).isEqualTo(protocol);
    return r;
  }

  // ---- the cases ----

  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void cacertsWithBasicOnItAtTheUnlabeledUrl(String protocol) throws Exception {
    List<X509Certificate> cas =
        readPkcs7(send(anonymous, protocol, caCertsRequest(server.estUrl(), basicHeader())));
    assertThat(cas.getFirst()).as("root first").isEqualTo(root);
    assertThat(cas)
        .extracting(Wire::cn)
        .containsExactly("Estuary Quickstart Root CA", "Estuary Quickstart idevid CA");
  }

  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void cacertsWithoutCredentialsAtALabelUrl(String protocol) throws Exception {
    List<X509Certificate> cas =
        readPkcs7(send(anonymous, protocol, caCertsRequest(server.labelUrl("device-id"), null)));
    assertThat(cas)
        .extracting(Wire::cn)
        .containsExactly("Estuary Quickstart Root CA", "Estuary Quickstart device-id CA");
  }

  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void simpleEnrollWithBasicAtTheIdevidLabel(String protocol) throws Exception {
    for (String url : List.of(server.estUrl(), server.labelUrl("idevid"))) {
      KeyPair key = TestPki.key("ec-p256");
      String cn = "aziot-basic-" + protocol;
      List<X509Certificate> issued =
          readPkcs7(
              send(
                  anonymous,
                  protocol,
                  simpleEnrollRequest(url, basicHeader(), TestPki.csr(key, "CN=" + cn))));
      X509Certificate leaf = issued.getFirst();
      assertThat(Wire.cn(leaf)).isEqualTo(cn);
      assertThat(leaf.getPublicKey()).isEqualTo(key.getPublic());
      assertThat(issued).as("only the issued certificate (RFC 7030 §4.2.3)").hasSize(1);
      Wire.assertChainsTo(asAziotStores(issued, protocol, url), root);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void simpleEnrollOverMtlsWithTheIdevidAtDeviceIdBothUrlForms(String protocol) throws Exception {
    String withSlash = server.labelUrl("device-id");
    assertThat(withSlash).endsWith("/device-id/");
    String withoutSlash = withSlash.substring(0, withSlash.length() - 1);
    for (String url : List.of(withSlash, withoutSlash)) {
      KeyPair key = TestPki.key("ec-p256");
      List<X509Certificate> issued =
          readPkcs7(
              send(
                  idevid.tls(root),
                  protocol,
                  simpleEnrollRequest(url, null, TestPki.csr(key, "CN=my-device-id"))));
      X509Certificate leaf = issued.getFirst();
      assertThat(Wire.cn(leaf)).isEqualTo("my-device-id");
      assertThat(leaf.getPublicKey()).isEqualTo(key.getPublic());
      assertThat(issued).as("only the issued certificate (RFC 7030 §4.2.3)").hasSize(1);
      assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
      Wire.assertChainsTo(asAziotStores(issued, protocol, url), root);
    }
  }

  /**
   * What aziot-certd does for one certificate: simpleenroll and cacerts in parallel, on separate
   * connections, Basic on both when configured; it stores the enrollment's certificates followed by
   * cacerts'.
   */
  @Test
  void simpleEnrollAndCacertsInParallelAsAziotStoresThem() throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    byte[] enroll =
        simpleEnrollRequest(
            server.labelUrl("idevid"), basicHeader(), TestPki.csr(key, "CN=parallel-device"));
    byte[] cacerts = caCertsRequest(server.labelUrl("idevid"), basicHeader());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<Wire.Response> e =
          CompletableFuture.supplyAsync(
              () ->
                  call(
                      () ->
                          Wire.exchange(
                              anonymous,
                              server.estPort(),
                              List.of(Wire.TLS13, Wire.TLS12),
                              enroll)),
              pool);
      CompletableFuture<Wire.Response> c =
          CompletableFuture.supplyAsync(
              () ->
                  call(
                      () ->
                          Wire.exchange(
                              anonymous,
                              server.estPort(),
                              List.of(Wire.TLS13, Wire.TLS12),
                              cacerts)),
              pool);
      List<X509Certificate> stored = new ArrayList<>(readPkcs7(e.get(30, TimeUnit.SECONDS)));
      stored.addAll(readPkcs7(c.get(30, TimeUnit.SECONDS)));
      assertThat(Wire.cn(stored.getFirst())).isEqualTo("parallel-device");
      assertThat(stored.getFirst().getPublicKey()).isEqualTo(key.getPublic());
      assertThat(stored).contains(root);
      Wire.assertChainsTo(stored, root);
    }
  }

  /**
   * A renewal as the identity service makes it: simpleenroll (not simplereenroll) over mTLS with
   * the device-id certificate this server issued, new key. With re-enrollment forcing (the default)
   * the subject stays, whatever the CSR says.
   */
  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void renewalIsASimpleEnrollOverMtlsWithTheIssuedCertificate(String protocol) throws Exception {
    Wire.Enrolled deviceId = Wire.deviceId(server, idevid, "my-device-id");
    KeyPair next = TestPki.key("ec-p256");
    List<X509Certificate> renewed =
        readPkcs7(
            send(
                deviceId.tls(root),
                protocol,
                simpleEnrollRequest(
                    server.labelUrl("device-id"), null, TestPki.csr(next, "CN=not-my-device-id"))));
    X509Certificate leaf = renewed.getFirst();
    assertThat(leaf.getSubjectX500Principal()).isEqualTo(deviceId.leaf().getSubjectX500Principal());
    assertThat(leaf.getPublicKey()).isEqualTo(next.getPublic());
    assertThat(leaf.getSerialNumber()).isNotEqualTo(deviceId.leaf().getSerialNumber());
    assertThat(renewed).hasSize(1);
    Wire.assertChainsTo(asAziotStores(renewed, protocol, server.labelUrl("device-id")), root);
  }

  /**
   * The renewal again, authenticated the way aziot-certd really presents its identity: the
   * certificate file it stored (the enrollment's certificates followed by cacerts', so the chain
   * repeats the issuing CA and carries the root), first certificate as the TLS client certificate
   * and every other one as an extra chain certificate.
   */
  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void renewalPresentingTheCertificateFileAziotStored(String protocol) throws Exception {
    KeyPair first = TestPki.key("ec-p256");
    List<X509Certificate> stored =
        new ArrayList<>(
            readPkcs7(
                send(
                    idevid.tls(root),
                    protocol,
                    simpleEnrollRequest(
                        server.labelUrl("device-id"),
                        null,
                        TestPki.csr(first, "CN=my-device-id")))));
    stored.addAll(
        readPkcs7(send(anonymous, protocol, caCertsRequest(server.labelUrl("device-id"), null))));
    assertThat(stored).hasSize(3); // leaf, then cacerts: root, device-id CA

    KeyPair next = TestPki.key("ec-p256");
    List<X509Certificate> renewed =
        readPkcs7(
            send(
                Wire.tlsPresenting(root, stored, first.getPrivate()),
                protocol,
                simpleEnrollRequest(
                    server.labelUrl("device-id"),
                    null,
                    TestPki.csr(next, "CN=renamed-by-the-csr"))));
    // Recognised as this server's certificate (a re-enrollment): the subject stays.
    assertThat(renewed.getFirst().getSubjectX500Principal())
        .isEqualTo(stored.getFirst().getSubjectX500Principal());
    assertThat(renewed.getFirst().getPublicKey()).isEqualTo(next.getPublic());
    assertThat(renewed).hasSize(1);
    Wire.assertChainsTo(asAziotStores(renewed, protocol, server.labelUrl("device-id")), root);
  }

  /**
   * The Edge CA request as aziot-edged has aziot-certd make it: RSA-2048, CN "aziot-edge CA
   * &lt;device id&gt;", critical keyUsage digitalSignature + keyCertSign, critical basicConstraints
   * CA:TRUE pathlen 0; at the edge-ca label over mTLS with the device's identity certificate.
   */
  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void edgeCaOverMtlsGetsACaCertificateWithPathlenZero(String protocol) throws Exception {
    Wire.Enrolled deviceId = Wire.deviceId(server, idevid, "my-device-id");
    KeyPair key = edgeCaKey;
    byte[] csr =
        TestPki.csr(
            key,
            "CN=aziot-edge CA my-device-id",
            new Extension(
                Extension.keyUsage,
                true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).getEncoded()),
            new Extension(Extension.basicConstraints, true, new BasicConstraints(0).getEncoded()));
    List<X509Certificate> issued =
        readPkcs7(
            send(
                deviceId.tls(root),
                protocol,
                simpleEnrollRequest(server.labelUrl("edge-ca"), null, csr)));
    X509Certificate ca = issued.getFirst();
    assertThat(Wire.cn(ca)).isEqualTo("aziot-edge CA my-device-id");
    assertThat(ca.getPublicKey()).isEqualTo(key.getPublic());
    assertThat(((RSAPublicKey) ca.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
    assertThat(ca.getBasicConstraints()).as("CA:TRUE, pathlen 0").isEqualTo(0);
    assertThat(ca.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    assertThat(issued).as("only the issued certificate (RFC 7030 §4.2.3)").hasSize(1);

    List<X509Certificate> cas =
        readPkcs7(
            send(deviceId.tls(root), protocol, caCertsRequest(server.labelUrl("edge-ca"), null)));
    List<X509Certificate> stored = new ArrayList<>(issued);
    stored.addAll(cas);
    Wire.assertChainsTo(stored, root);
  }

  /**
   * The identity service reports a refusal as "EST endpoint did not return successful response:
   * {status} {body}", so the body is all an operator gets to see. A device whose bootstrap
   * certificate is not configured (no client certificate) at an mTLS-only label must be told so in
   * that body (RFC 8951: text/plain reason), not get an empty 401.
   */
  @ParameterizedTest
  @ValueSource(strings = {Wire.TLS12, Wire.TLS13})
  void refusalAtAnMtlsOnlyLabelWithoutClientCertificateCarriesItsReason(String protocol)
      throws Exception {
    byte[] csr = TestPki.csr(TestPki.key("ec-p256"), "CN=my-device-id");
    Wire.Response r =
        send(anonymous, protocol, simpleEnrollRequest(server.labelUrl("device-id"), null, csr));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("Content-Type"))
        .as("Content-Type of the 401 (body: '%s')", r.bodyText())
        .startsWith("text/plain");
    assertThat(r.bodyText()).as("what aziot would log").containsIgnoringCase("client certificate");
  }

  private interface IoCall<T> {
    T run() throws Exception;
  }

  private static <T> T call(IoCall<T> c) {
    try {
      return c.run();
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }
}
