package dev.estuary.agent.renewal;

import java.util.Optional;

/**
 * A credential the engine keeps alive: a key and a certificate, obtained and renewed by some means
 * the engine does not know (EST, in the agent).
 *
 * <p>The credential owns everything about the how: which identity authenticates the request (the
 * engine only says, through {@link RenewalAttempt#expired()}, that the current certificate has
 * expired, so a fallback such as the bootstrap identity is due), whether and how to rotate the key
 * ({@link RenewalAttempt#rotateKey()}, see {@link KeyRotation}), and how to store the result. It
 * must leave the previous key and certificate in force unless it returns {@link
 * RenewalOutcome.Renewed}.
 */
public interface Renewable {

  /** Names the credential in logs and status, e.g. {@code "device-id"}; unique per engine. */
  String id();

  /** The certificate currently in force, or empty when there is none yet. */
  Optional<CertificateInfo> current();

  /**
   * Tries once to obtain a new certificate. Reports failure as a value; never blocks for longer
   * than its own network timeouts. An exception is treated as a {@link FailureKind#LOCAL} failure.
   */
  RenewalOutcome renew(RenewalAttempt attempt);
}
