package dev.estuary.server.revocation;

import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.x509.CRLReason;

/**
 * The revocation reasons of RFC 5280 5.3.1, spelt as the RFC spells them (the names stored in the
 * database and given to the API and CLI), with their codes (CRL entries, OCSP). removeFromCRL (8)
 * is not a reason to revoke and is not offered; certificateHold is, but a hold is never released
 * (Estuary does not un-revoke).
 */
public enum RevocationReason {
  UNSPECIFIED("unspecified", CRLReason.unspecified),
  KEY_COMPROMISE("keyCompromise", CRLReason.keyCompromise),
  CA_COMPROMISE("cACompromise", CRLReason.cACompromise),
  AFFILIATION_CHANGED("affiliationChanged", CRLReason.affiliationChanged),
  SUPERSEDED("superseded", CRLReason.superseded),
  CESSATION_OF_OPERATION("cessationOfOperation", CRLReason.cessationOfOperation),
  CERTIFICATE_HOLD("certificateHold", CRLReason.certificateHold),
  PRIVILEGE_WITHDRAWN("privilegeWithdrawn", CRLReason.privilegeWithdrawn),
  AA_COMPROMISE("aACompromise", CRLReason.aACompromise);

  private final String rfcName;
  private final int code;

  RevocationReason(String rfcName, int code) {
    this.rfcName = rfcName;
    this.code = code;
  }

  public String rfcName() {
    return rfcName;
  }

  /** The CRLReason code. */
  public int code() {
    return code;
  }

  /** By its RFC 5280 name, in any case. */
  public static Optional<RevocationReason> of(String name) {
    return Arrays.stream(values()).filter(r -> r.rfcName.equalsIgnoreCase(name)).findFirst();
  }

  /**
   * The reason a stored name stands for; a name recorded before reasons were checked (any text) is
   * {@link #UNSPECIFIED}.
   */
  public static RevocationReason stored(String name) {
    return name == null ? UNSPECIFIED : of(name).orElse(UNSPECIFIED);
  }

  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(RevocationReason::rfcName).toList());
  }
}
