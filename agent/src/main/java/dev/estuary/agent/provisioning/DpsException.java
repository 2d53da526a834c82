package dev.estuary.agent.provisioning;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A registration that did not end in an assignment; the message is one line for a log. */
public final class DpsException extends Exception {
  private final boolean refused;
  private final int errorCode;
  private final Duration retryAfter;

  DpsException(
      String message, boolean refused, int errorCode, Duration retryAfter, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.refused = refused;
    this.errorCode = errorCode;
    this.retryAfter = retryAfter;
  }

  /** Whether the service answered and refused (4xx, or a {@code failed} operation). */
  public boolean refused() {
    return refused;
  }

  /** The service's six-digit {@code errorCode}, or 0. */
  public int errorCode() {
    return errorCode;
  }

  /** The service's {@code Retry-After}, if it sent one with the refusal. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
