package dev.estuary.agent.est;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An EST request that did not give a usable answer; {@link #getMessage()} is one line for a log.
 */
public final class EstException extends Exception {

  /** What went wrong, broadly. */
  public enum Kind {
    /** No answer: DNS, connection refused or reset, TLS handshake failure, timeout. */
    UNREACHABLE,
    /** 5xx. */
    SERVER_ERROR,
    /** 429. */
    RATE_LIMITED,
    /** 4xx other than 429: the server refused the request. */
    REFUSED,
    /** 200 with a body that is not what EST promises, or another unexpected status. */
    BAD_RESPONSE
  }

  private final Kind kind;
  private final int status;
  private final Duration retryAfter;

  EstException(Kind kind, int status, String message, Duration retryAfter, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status, or 0 when there was no answer. */
  public int status() {
    return status;
  }

  /** The server's {@code Retry-After}, when it sent one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
