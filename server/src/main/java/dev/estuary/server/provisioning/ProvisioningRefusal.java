package dev.estuary.server.provisioning;

import dev.estuary.server.store.EnrollmentRecord;

/**
 * A device request that will not be served, with the error that says why and a message a person can
 * act on. The message is sent to the device, so it never carries secrets or key material.
 *
 * <p>A refusal made after the device matched an enrollment names it ({@link #enrollment()}): the
 * metrics count refusals by the enrollment's kind and certificate label.
 */
public final class ProvisioningRefusal extends Exception {
  private final ErrorCode error;
  private final transient EnrollmentRecord enrollment;
  private final boolean wrongCredentials;
  private final long retryAfterSeconds;

  public ProvisioningRefusal(ErrorCode error, String message) {
    this(error, message, null, false, 0);
  }

  private ProvisioningRefusal(
      ErrorCode error,
      String message,
      EnrollmentRecord enrollment,
      boolean wrongCredentials,
      long retryAfterSeconds) {
    super(message, null, false, false);
    this.error = error;
    this.enrollment = enrollment;
    this.wrongCredentials = wrongCredentials;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * 401: a client certificate that leads to no trusted CA, what anyone can make; counted by the
   * failed-authentication limits (a genuine certificate refused for its time, a revocation or a
   * disabled enrollment is not).
   */
  static ProvisioningRefusal wrongCredentials(String message) {
    return new ProvisioningRefusal(ErrorCode.UNAUTHORIZED, message, null, true, 0);
  }

  /** 429 with Retry-After: too many failed authentications. */
  static ProvisioningRefusal throttled(String message, long retryAfterSeconds) {
    return new ProvisioningRefusal(ErrorCode.THROTTLED, message, null, false, retryAfterSeconds);
  }

  public ErrorCode error() {
    return error;
  }

  /** The enrollment the device matched before it was refused, or null when none (yet). */
  public EnrollmentRecord enrollment() {
    return enrollment;
  }

  /** True when the failed-authentication limits count this refusal. */
  public boolean wrongCredentials() {
    return wrongCredentials;
  }

  /** The Retry-After of a {@link ErrorCode#THROTTLED} refusal, else 0. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** This refusal, naming {@code matched} unless it names an enrollment already. */
  public ProvisioningRefusal in(EnrollmentRecord matched) {
    if (enrollment != null || matched == null) {
      return this;
    }
    return new ProvisioningRefusal(
        error, getMessage(), matched, wrongCredentials, retryAfterSeconds);
  }
}
