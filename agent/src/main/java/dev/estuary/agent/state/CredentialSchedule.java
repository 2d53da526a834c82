package dev.estuary.agent.state;

import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One credential's schedule as the renewal engine last published it, for {@code estuary agent
 * status} and the tools that read {@code state.json}. Owner: the agent, publishing the engine's
 * status after each step; read back only for display (the engine works its schedule out from the
 * certificates at each start).
 *
 * @param notBefore the certificate in force: valid from
 * @param notAfter the certificate in force: valid until
 * @param renewalTime when it is due for renewal (threshold and jitter applied)
 * @param nextAttempt when the engine tries next; empty while suspended
 * @param lastAttempt when the last attempt started
 * @param lastOutcome {@code renewed}, {@code failed} or {@code suspended}
 * @param lastError the latest failure since the last success
 * @param consecutiveFailures attempts that failed since the last success
 */
public record CredentialSchedule(
    Optional<Instant> notBefore,
    Optional<Instant> notAfter,
    Optional<Instant> renewalTime,
    Optional<Instant> nextAttempt,
    Optional<Instant> lastAttempt,
    Optional<String> lastOutcome,
    Optional<String> lastError,
    int consecutiveFailures) {

  public CredentialSchedule {
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(renewalTime, "renewalTime");
    Objects.requireNonNull(nextAttempt, "nextAttempt");
    Objects.requireNonNull(lastAttempt, "lastAttempt");
    Objects.requireNonNull(lastOutcome, "lastOutcome");
    Objects.requireNonNull(lastError, "lastError");
  }

  /** The engine's view of one credential, as recorded. */
  public static CredentialSchedule of(CredentialStatus s) {
    return new CredentialSchedule(
        s.certificate().map(c -> c.notBefore()),
        s.certificate().map(c -> c.notAfter()),
        s.renewalTime(),
        s.nextAttempt(),
        s.lastAttemptAt(),
        s.lastOutcome().map(CredentialSchedule::outcomeName),
        s.lastError(),
        s.consecutiveFailures());
  }

  /** Whether the last attempt renewed the certificate. */
  public boolean renewed() {
    return lastOutcome.filter("renewed"::equals).isPresent();
  }

  /** Whether automatic renewal is suspended until someone asks for it. */
  public boolean suspended() {
    return lastOutcome.filter("suspended"::equals).isPresent();
  }

  private static String outcomeName(RenewalOutcome o) {
    if (o instanceof RenewalOutcome.Renewed) {
      return "renewed";
    }
    return o instanceof RenewalOutcome.Failed ? "failed" : "suspended";
  }
}
