package dev.estuary.server.auth;

import dev.estuary.server.store.CertificateRecord;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who a request comes from, as one gate established it.
 *
 * @param gate "secret", "basic" or "mtls"
 * @param identity the secret id, the Basic username, or the client certificate's SHA-256
 * @param clientChain the validated client chain (mtls only; else empty)
 * @param secretId the bootstrap secret to consume on issuance, or null
 * @param priorCertificate the presented certificate when this label issued it (a re-enrollment),
 *     or null
 */
public record Caller(
    String gate,
    String identity,
    List<X509Certificate> clientChain,
    String secretId,
    CertificateRecord priorCertificate) {
  public Caller {
    clientChain = List.copyOf(clientChain);
  }

  public boolean isReenrollment() {
    return priorCertificate != null;
  }

  public X509Certificate clientCertificate() {
    return clientChain.isEmpty() ? null : clientChain.getFirst();
  }
}
