package dev.estuary.server.store;

import java.math.BigInteger;
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
   * The record of exactly this certificate: the one with this serial number, if its DER has this
   * SHA-256 (lower-case hex). A certificate with the same serial but other bytes (another issuer's,
   * or a forgery) is not one of ours. Found through the serial's index: there is no index on the
   * SHA-256 (schema V3).
   */
  Optional<CertificateRecord> findCertificate(BigInteger serial, String sha256);

  Optional<CertificateRecord> findBySerial(BigInteger serial);

  /** Newest first, at most {@code limit}. */
  List<CertificateRecord> findBySubject(String subject, int limit);

  /**
   * Marks a certificate revoked. One already revoked keeps its first revocation time and reason.
   *
   * @return false when no certificate has that serial; true when it is (now or already) revoked
   */
  boolean revoke(BigInteger serial, String reason, Instant at);

  long count();
}
