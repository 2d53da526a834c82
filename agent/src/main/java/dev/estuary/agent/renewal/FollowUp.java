package dev.estuary.agent.renewal;

import java.util.Optional;

/**
 * Work the engine schedules after a credential: done once for each certificate of that credential,
 * again after each of its renewals (registering the device with the provisioning service with its
 * device identity). It shares the credential's retry policy and the engine's one backoff: a failure
 * is retried after the policy's retry period (or the server's {@code Retry-After}, if longer),
 * never given up.
 *
 * <p>While {@linkplain #inForce() a result of an earlier success is in force} (the previous
 * assignment), retries are paced like a renewal with a valid certificate, by the credential's
 * lifetime; with nothing in force they are paced like a credential without one (at most {@link
 * RenewalSchedule#RETRY_CEILING_WITHOUT_VALID_CERTIFICATE} apart).
 */
public interface FollowUp {

  /** Names the task in status, e.g. {@code "register"}; unique per engine. */
  String id();

  /** The id of the credential it follows; that credential is attempted first in each step. */
  String follows();

  /** The words the engine's log lines start with, e.g. {@code "provisioning: registration"}. */
  String name();

  /**
   * Whether the work is still to do for the followed credential's certificate now on disk (asked
   * once, when the engine starts; afterwards every renewal of that credential makes it due).
   */
  boolean pending();

  /** Whether the result of an earlier success is still in force while this fails. */
  boolean inForce();

  /** For the failure log line: what stays in force meanwhile ({@code "no assignment yet"}). */
  String describeInForce();

  /**
   * Tries once; {@code attempt.current()} is the followed credential's certificate. Logs its own
   * success; reports a failure as a value (the engine logs it with the next attempt). An exception
   * is treated as a {@link FailureKind#LOCAL} failure.
   *
   * @return empty when done, else the failure
   */
  Optional<RenewalOutcome.Failed> run(RenewalAttempt attempt);
}
