package dev.estuary.agent.renewal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a renewal attempt ended. */
public sealed interface RenewalOutcome {

  /**
   * A new certificate (and key, if rotated) is on disk and in force.
   *
   * @param certificate the new certificate's validity
   */
  record Renewed(CertificateInfo certificate) implements RenewalOutcome {
    public Renewed {
      Objects.requireNonNull(certificate, "certificate");
    }
  }

  /**
   * The attempt failed; the previous key and certificate are still in force. The engine retries.
   *
   * @param kind what went wrong, broadly
   * @param reason one line a person can act on, e.g. {@code "connection refused by
   *     est.example.com:443"}
   * @param retryAfter the server's {@code Retry-After}, if it sent one
   */
  record Failed(FailureKind kind, String reason, Optional<Duration> retryAfter)
      implements RenewalOutcome {
    public Failed {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** A failure without {@code Retry-After}. */
    public static Failed of(FailureKind kind, String reason) {
      return new Failed(kind, reason, Optional.empty());
    }

    /** A failure whose answer carried {@code Retry-After}. */
    public static Failed withRetryAfter(FailureKind kind, String reason, Duration retryAfter) {
      return new Failed(kind, reason, Optional.of(retryAfter));
    }
  }

  /**
   * The credential must not be renewed automatically until a person looks, for example because its
   * certificate was replaced on disk by hand and renewing would overwrite it. The engine stops
   * scheduling it until {@link RenewalEngine#renewNow(String, java.time.Instant)}.
   *
   * @param reason what the person should look at
   */
  record Suspended(String reason) implements RenewalOutcome {
    public Suspended {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
