package dev.estuary.agent.renewal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@link FollowUp} as the engine sees it, at one moment; immutable.
 *
 * @param id the task's id
 * @param nextAttempt when the engine will next run it; empty while there is nothing to do
 * @param lastAttemptAt when the last attempt started, empty if none yet
 * @param lastError the latest failure since the last success, empty after a success
 * @param consecutiveFailures attempts that failed since the last success
 * @param runs attempts since the engine started, successful or not
 */
public record FollowUpStatus(
    String id,
    Optional<Instant> nextAttempt,
    Optional<Instant> lastAttemptAt,
    Optional<String> lastError,
    int consecutiveFailures,
    int runs) {
  public FollowUpStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(nextAttempt, "nextAttempt");
    Objects.requireNonNull(lastAttemptAt, "lastAttemptAt");
    Objects.requireNonNull(lastError, "lastError");
  }
}
