package dev.estuary.server.testing;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Device certificates the way a device gets them from a quickstart server, over real EST: an IDevID
 * with the factory secret, then a device-id certificate (LDevID) over mTLS.
 */
public final class EstEnrollment {
  private EstEnrollment() {}

  /**
   * A key and its certificate chain: the certificate the server answered, then the label's CAs from
   * cacerts (leaf first, no root).
   */
  public record Enrolled(KeyPair key, List<X509Certificate> chain) {
    public X509Certificate leaf() {
      return chain.getFirst();
    }
  }

  /** A birth certificate from label idevid, for the factory secret. */
  public static Enrolled idevid(QuickstartServer s, String cn) throws Exception {
    return enroll(s, null, "idevid", cn, "Secret-Value", s.factorySecret());
  }

  /** A device-id certificate for {@code cn}, authenticated over mTLS by {@code with}. */
  public static Enrolled deviceId(QuickstartServer s, Enrolled with, String cn) throws Exception {
    return enroll(s, with, "device-id", cn);
  }

  /** A device-id certificate for {@code cn}, by way of a fresh IDevID. */
  public static Enrolled deviceId(QuickstartServer s, String cn) throws Exception {
    return deviceId(s, idevid(s, cn + "-idevid"), cn);
  }

  private static Enrolled enroll(
      QuickstartServer s, Enrolled with, String label, String cn, String... headers)
      throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(
                TestPki.tls(
                    s.root(),
                    with == null ? null : with.chain(),
                    with == null ? null : with.key().getPrivate()))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(s.labelUrl(label) + "simpleenroll"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/pkcs10")
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    EstBase64.encode(TestPki.csr(key, "CN=" + cn))));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new AssertionError(
          "EST "
              + label
              + " enroll for "
              + cn
              + " answered "
              + r.statusCode()
              + ": "
              + new String(r.body()));
    }
    List<X509Certificate> answer = CertsOnlyPkcs7.decode(EstBase64.decode(r.body()));
    if (answer.size() != 1) {
      throw new AssertionError(
          "EST "
              + label
              + " enroll for "
              + cn
              + " answered "
              + answer.size()
              + " certificates, not only the issued one");
    }
    // The chain comes from cacerts, as a device builds it: the label's CAs below the root, issuer
    // first.
    HttpResponse<byte[]> cacerts =
        client.send(
            HttpRequest.newBuilder(URI.create(s.labelUrl(label) + "cacerts"))
                .timeout(Duration.ofSeconds(20))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    X509Certificate root = s.root();
    List<X509Certificate> chain = new ArrayList<>(answer);
    chain.addAll(
        CertsOnlyPkcs7.decode(EstBase64.decode(cacerts.body())).stream()
            .filter(c -> !c.equals(root))
            .toList()
            .reversed());
    return new Enrolled(key, chain);
  }
}
