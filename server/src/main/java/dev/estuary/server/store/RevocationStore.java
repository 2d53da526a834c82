package dev.estuary.server.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What revocation reads and writes beside the certificate records: revocations with their reason
 * and invalidity date, the revoked certificates of one CA (for its CRL), the CRL numbers, and the
 * disabled devices. Implementations are thread-safe; every method is one transaction.
 */
public interface RevocationStore {

  /** A revoked certificate as a CRL or an OCSP answer needs it. */
  record Revoked(
      BigInteger serial,
      String issuer,
      Instant revokedAt,
      String reason,
      Instant invalidityDate,
      byte[] der) {}

  /**
   * Marks the certificate revoked with its RFC 5280 reason name and, when known, the invalidity
   * date. One already revoked keeps its first revocation.
   *
   * @param issuer the certificate's issuer DN (RFC 2253, as recorded), or null for any
   * @param actor who revokes, for the audit record written in the same transaction
   * @return the record after the change (revoked), or empty when no certificate has that serial
   *     (and issuer)
   */
  Optional<CertificateRecord> revoke(
      BigInteger serial,
      String issuer,
      String reason,
      Instant at,
      Instant invalidityDate,
      String actor);

  /**
   * The certificates issued under the DN {@code issuer} (RFC 2253, as recorded) that are revoked
   * and expire after {@code expiringAfter} (RFC 5280 5.3: an expired certificate may leave the
   * CRL).
   */
  List<Revoked> revokedUnder(String issuer, Instant expiringAfter);

  /** The revocation of one certificate, or empty when it is not revoked (or unknown). */
  Optional<Revoked> revocation(BigInteger serial);

  /**
   * A value that changes whenever a certificate is revoked, on any replica sharing the database:
   * the number of revoked certificates and the latest revocation time.
   */
  String watermark();

  /** The next CRL number of the CA {@code caId}: one more than the last, durably (from 1). */
  BigInteger nextCrlNumber(String caId);

  /** A device whose renewals and registrations are refused. */
  record DisabledDevice(String registrationId, Instant disabledAt, String note) {}

  /**
   * Disables the device (idempotent: the first disabling is kept); a change appends its audit
   * record, naming {@code actor}, in the same transaction.
   *
   * @return the disabled state (the earlier one when it was already disabled)
   */
  DisabledDevice disable(String registrationId, Instant at, String note, String actor);

  /** Enables the device again; false when it was not disabled. Audited as {@code disable}. */
  boolean enable(String registrationId, Instant at, String actor);

  Optional<DisabledDevice> findDisabled(String registrationId);

  /**
   * True when a disabled device holds {@code principal}: a certificate whose subject is exactly
   * {@code CN=<registration id>} of a disabled device was issued to it (its renewals and its Edge
   * CA share the principal, auth.Principals).
   */
  boolean principalDisabled(String principal);
}
