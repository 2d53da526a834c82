package dev.estuary.server.store;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * One issued certificate as the server remembers it.
 *
 * @param subject the subject DN in RFC 4514 form
 * @param issuer the issuer DN in RFC 4514 form
 * @param keyAlgorithm e.g. "EC P-256", "RSA 2048"
 * @param sha256 lower-case hex SHA-256 of the DER
 * @param gate the authentication gate that let the request in: "secret", "basic", "mtls"
 * @param requester who asked: the secret id, the Basic username, or the client certificate's
 *     SHA-256
 * @param revokedAt null while not revoked
 * @param revocationReason null while not revoked
 * @param principal the stable identity it was issued to ({@code auth.Principals}); null for
 *     certificates recorded before schema V4
 */
public record CertificateRecord(
    BigInteger serial,
    String subject,
    String issuer,
    Instant notBefore,
    Instant notAfter,
    String label,
    String keyAlgorithm,
    String sha256,
    String gate,
    String requester,
    Instant issuedAt,
    byte[] der,
    Instant revokedAt,
    String revocationReason,
    String principal) {

  public boolean revoked() {
    return revokedAt != null;
  }

  /**
   * True when {@code presented} is this certificate: the same to-be-signed part (issuer, serial,
   * subject, key, validity, extensions). The signature's encoding is not compared: an ECDSA
   * signature (r, s) re-encoded as (r, n-s) still verifies, and is still this certificate.
   */
  public boolean isCertificate(X509Certificate presented) {
    try {
      byte[] tbs = Certificate.getInstance(der).getTBSCertificate().getEncoded("DER");
      return Arrays.equals(tbs, presented.getTBSCertificate());
    } catch (IOException | CertificateEncodingException | IllegalArgumentException e) {
      return false;
    }
  }
}
