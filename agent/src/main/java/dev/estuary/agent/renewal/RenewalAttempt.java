package dev.estuary.agent.renewal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine tells a credential when it asks for a renewal.
 *
 * @param credentialId the credential's {@link Renewable#id()}
 * @param current the certificate in force when the attempt started, empty if there is none
 * @param rotateKey whether to replace the key too ({@code rotate_key} in the configuration)
 * @param expired whether {@code current} has expired, so the credential should authenticate with
 *     its fallback (the bootstrap identity) rather than with it; false when there is no current
 *     certificate, which needs the fallback just as well
 * @param attempt 1 for the first attempt since the last success, 2 for the first retry, ...
 * @param at when the engine started the attempt
 */
public record RenewalAttempt(
    String credentialId,
    Optional<CertificateInfo> current,
    boolean rotateKey,
    boolean expired,
    int attempt,
    Instant at) {

  public RenewalAttempt {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(at, "at");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt numbers start at 1, was " + attempt);
    }
  }
}
