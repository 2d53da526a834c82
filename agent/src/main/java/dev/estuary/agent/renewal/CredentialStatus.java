package dev.estuary.agent.renewal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One credential as the engine sees it, at one moment; immutable, for {@code status} and the state
 * file.
 *
 * @param id the credential's id
 * @param certificate the certificate in force, empty if none
 * @param renewalTime when the certificate in force is due for renewal (threshold and jitter
 *     applied), empty if none
 * @param nextAttempt when the engine will next try; empty while renewal is {@linkplain #suspended()
 *     suspended}
 * @param lastAttemptAt when the last attempt started, empty if none yet
 * @param lastOutcome how the last attempt ended, empty if none yet
 * @param lastError the latest failure since the last success ({@code "server unreachable:
 *     connection refused"}), empty after a success
 * @param consecutiveFailures attempts that failed since the last success
 */
public record CredentialStatus(
    String id,
    Optional<CertificateInfo> certificate,
    Optional<Instant> renewalTime,
    Optional<Instant> nextAttempt,
    Optional<Instant> lastAttemptAt,
    Optional<RenewalOutcome> lastOutcome,
    Optional<String> lastError,
    int consecutiveFailures) {

  public CredentialStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(renewalTime, "renewalTime");
    Objects.requireNonNull(nextAttempt, "nextAttempt");
    Objects.requireNonNull(lastAttemptAt, "lastAttemptAt");
    Objects.requireNonNull(lastOutcome, "lastOutcome");
    Objects.requireNonNull(lastError, "lastError");
  }

  /** Whether automatic renewal stopped until someone asks for it. */
  public boolean suspended() {
    return lastOutcome.orElse(null) instanceof RenewalOutcome.Suspended;
  }

  /** Whether a certificate is in force and valid at {@code now}. */
  public boolean validAt(Instant now) {
    return certificate.map(c -> c.isValidAt(now)).orElse(false);
  }
}
