package dev.estuary.server.store;

import dev.estuary.pki.Certificates;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A CA certificate that enrollments name as their attestation: a device's chain must lead to it,
 * and it must be verified (uploaded as verified, or proven by proof of possession).
 *
 * @param subject the subject DN in RFC 4514 form
 * @param sha256 lower-case hex SHA-256 of the DER
 * @param verificationCode the code a proof-of-possession certificate must carry as its CN, or null
 *     when none was asked for
 * @param etag changes on every write
 */
public record CaCertificateRecord(
    String name,
    byte[] der,
    String subject,
    String sha256,
    boolean verified,
    String verificationCode,
    String etag,
    Instant createdAt,
    Instant updatedAt) {

  public X509Certificate certificate() {
    return Certificates.decode(der);
  }

  /** The same certificate after a write: its new state, etag and update time. */
  public CaCertificateRecord with(
      boolean verified, String verificationCode, String etag, Instant updatedAt) {
    return new CaCertificateRecord(
        name, der, subject, sha256, verified, verificationCode, etag, createdAt, updatedAt);
  }
}
