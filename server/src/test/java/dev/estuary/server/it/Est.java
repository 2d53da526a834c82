package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;
import dev.estuary.server.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** A plain EST client on {@link java.net.http.HttpClient}: real TLS, raw statuses and bodies. */
final class Est {
  static final String PKCS10 = "application/pkcs10";
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private Est() {}

  /** Trusts {@code root}; presents no client certificate. */
  static HttpClient client(X509Certificate root) {
    return client(root, null, null);
  }

  /** Trusts {@code root}; presents {@code chain}/{@code key} for mTLS when not null. */
  static HttpClient client(X509Certificate root, List<X509Certificate> chain, PrivateKey key) {
    return HttpClient.newBuilder()
        .sslContext(TestPki.tls(root, chain, key))
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** The base64 of DER that EST bodies are, in 64-column lines. */
  static byte[] base64(byte[] der) {
    return EstBase64.encode(der);
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static Reply get(HttpClient client, String url, String... headers)
      throws IOException, InterruptedException {
    return send(client, request(url, headers).GET().build());
  }

  static Reply post(HttpClient client, String url, byte[] body, String... headers)
      throws IOException, InterruptedException {
    return post(client, url, HttpRequest.BodyPublishers.ofByteArray(body), headers);
  }

  static Reply post(HttpClient client, String url, BodyPublisher body, String... headers)
      throws IOException, InterruptedException {
    return send(client, request(url, headers).POST(body).build());
  }

  /** A POST of a CSR as EST clients send it: base64 body, {@code application/pkcs10}. */
  static Reply enroll(HttpClient client, String url, byte[] csrDer, String... headers)
      throws IOException, InterruptedException {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = PKCS10;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return post(client, url, base64(csrDer), all);
  }

  static HttpRequest.Builder request(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  static Reply send(HttpClient client, HttpRequest request)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return new Reply(r.statusCode(), r.headers(), r.body());
  }

  /** An HTTP answer. */
  record Reply(int status, HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }

    /** The certificates of a 200 certs-only answer, in order (leaf first for enroll). */
    List<X509Certificate> certificates() {
      assertThat(status)
          .as("status of an answer expected to carry certificates; body: %s", text())
          .isEqualTo(200);
      try {
        return CertsOnlyPkcs7.decode(EstBase64.decode(body));
      } catch (PkiException e) {
        throw new AssertionError(
            "the 200 answer is not base64 certs-only PKCS#7: " + e.getMessage(), e);
      }
    }

    X509Certificate leaf() {
      return certificates().getFirst();
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + headers.map() + "\n" + text();
    }
  }
}
