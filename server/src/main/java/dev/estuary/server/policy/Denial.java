package dev.estuary.server.policy;

/**
 * The policy's "no": a reason the domain names and a message a person can act on. No wire status
 * lives here: EST, DPS and the admin API each map {@link Reason} to their own answer. The message
 * is sent to the client, so it never carries secrets or key material.
 */
public final class Denial extends Exception {
  /** Why a certificate is not issued. */
  public enum Reason {
    /** The CSR cannot be used as sent: no name, a name too long, a malformed extension. */
    BAD_CSR,
    /** The CSR's key is not one the label accepts (algorithm, size, curve, exponent). */
    KEY_NOT_ALLOWED,
    /** The CSR asks for a CA certificate from a label that issues end-entity certificates. */
    CA_NOT_ALLOWED,
    /** simplereenroll without a certificate the label issued. */
    NOT_A_RENEWAL,
    /** A subject or SAN the label's name policy does not allow. */
    NAME_NOT_ALLOWED,
    /** The name is bound to another identity. */
    NAME_BOUND,
    /** The caller's identity is bound to another name. */
    IDENTITY_BOUND,
    /**
     * The name is not the one authentication tied the caller to (DPS registration id, IDevID
     * template).
     */
    NAME_MISMATCH,
    /**
     * The credential could not be consumed when the certificate was recorded (a secret used up
     * meanwhile).
     */
    CREDENTIAL_USED_UP
  }

  private final Reason reason;

  public Denial(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
