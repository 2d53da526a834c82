package dev.estuary.server.store;

import java.math.BigInteger;
import java.time.Instant;

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
    String revocationReason) {

  public boolean revoked() {
    return revokedAt != null;
  }
}
