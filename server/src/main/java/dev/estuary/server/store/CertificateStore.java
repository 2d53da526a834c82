package dev.estuary.server.store;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Every certificate the server issued, durably. Implementations are thread-safe. */
public interface CertificateStore {

  /**
   * Commits {@code cert} durably; returns only once it is committed. When {@code secretId} is not
   * null, one use of that bootstrap secret is consumed in the same transaction, and nothing is
   * recorded if the secret is unknown, disabled, expired at {@code cert.issuedAt()} or used up.
   * Instants are kept to the microsecond.
   *
   * @throws DuplicateSerialException when the serial number is already taken (nothing recorded)
   * @throws SecretRefusedException when the secret could not be consumed (nothing recorded)
   */
  void record(CertificateRecord cert, String secretId);

  /**
   * The record of {@code presented} when this server issued it: found by issuer and serial (the
   * serial is unique across every CA of this server) and compared by its TBS, never by the hash of
   * its encoding, so a copy with a re-encoded signature is the same certificate. A certificate with
   * the same serial from another issuer is not one of ours.
   */
  default Optional<CertificateRecord> findIssued(X509Certificate presented) {
    return findBySerial(presented.getSerialNumber()).filter(r -> r.isCertificate(presented));
  }

  Optional<CertificateRecord> findBySerial(BigInteger serial);

  /** Newest first, at most {@code limit}. */
  List<CertificateRecord> findBySubject(String subject, int limit);

  /**
   * Marks a certificate revoked. One already revoked keeps its first revocation time and reason.
   *
   * @return false when no certificate has that serial; true when it is (now or already) revoked
   */
  boolean revoke(BigInteger serial, String reason, Instant at);

  /**
   * As {@link #revoke(BigInteger, String, Instant)}, naming who revoked it in the audit log ({@code
   * dev.estuary.server.audit.Actors}).
   */
  default boolean revoke(BigInteger serial, String reason, Instant at, String actor) {
    return revoke(serial, reason, at);
  }

  long count();
}
