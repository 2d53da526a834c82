package dev.estuary.cli.demo;

import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The factory line of the seed: a key and CSR for {@code CN=IDevID}, traded for a birth certificate
 * over EST with the bootstrap secret ({@code Secret-Value}), as the seed's curl command does.
 * Leaves {@code globalsign-root.cert.pem}, {@code IDevID.cert.pem} and {@code IDevID.key.pem}
 * (0600) in the device's directory.
 */
final class Factory {
  private Factory() {}

  /** Makes the IDevID; returns its certificate. */
  static X509Certificate makeIdevid(String estUrl, X509Certificate root, String secret, Path dir)
      throws Exception {
    KeyPair key = KeyPairs.generate("ec-p256", new SecureRandom());
    byte[] csr =
        CsrBuilder.build(
            "IDevID", CsrBuilder.Kind.CLIENT_IDENTITY, key.getPublic(), key.getPrivate(), null);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(estUrl + "/simpleenroll"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/pkcs10")
            .header("Content-Transfer-Encoding", "base64")
            .header("Secret-Value", secret)
            .POST(HttpRequest.BodyPublishers.ofByteArray(EstBase64.encode(csr)))
            .build();
    HttpResponse<byte[]> answer;
    try (HttpClient client =
        HttpClient.newBuilder().sslContext(ClientTls.context(List.of(root), null, null)).build()) {
      answer = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(
          "the factory's enrollment was refused: "
              + answer.statusCode()
              + " "
              + new String(answer.body(), StandardCharsets.UTF_8));
    }
    X509Certificate idevid = CertsOnlyPkcs7.decode(EstBase64.decode(answer.body())).getFirst();
    AtomicFiles.write(
        dir.resolve("globalsign-root.cert.pem"),
        Pem.encode(root).getBytes(StandardCharsets.US_ASCII),
        "rw-r--r--");
    AtomicFiles.write(
        dir.resolve("IDevID.cert.pem"),
        Pem.encode(idevid).getBytes(StandardCharsets.US_ASCII),
        "rw-r--r--");
    AtomicFiles.write(
        dir.resolve("IDevID.key.pem"),
        Pem.encode(key.getPrivate()).getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    return idevid;
  }
}
